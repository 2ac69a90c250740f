"""The ceiling for the HTTP benchmark: bare Flask + Jinja rendering the same board cards from a list in memory.

No database, no sign-in, no audit, no masking: what rendering the board's HTML costs on this machine and
nothing else. `scripts/http_benchmark.py` starts it under gunicorn beside the app and compares them.
"""
from __future__ import annotations

import json
import os

from flask import Flask, render_template_string

app = Flask(__name__)
with open(os.environ["REFERENCE_CARDS"], encoding="utf-8") as f:
    COLUMNS = json.load(f)

PAGE = """<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Board</title>
<link rel="stylesheet" href="/static/app.css"></head><body><main><h1>Debrief board</h1>
<div class="kboard">{% for col in columns %}<section class="kcol" aria-labelledby="col-{{ col.stage }}">
<h2 id="col-{{ col.stage }}">{{ col.label }} <span class="kcol__count">{{ col.cards|length }}</span></h2>
<div class="kcol__cards">{% for d in col.cards %}
<article class="kcard kcard--{{ d.rag }}" id="card-{{ d.id }}" data-stage="{{ d.stage }}"
 data-move-url="/debriefs/{{ d.id }}/move" aria-labelledby="card-{{ d.id }}-ref">
  <div class="kcard__head"><a class="kcard__ref" id="card-{{ d.id }}-ref" href="/debriefs/{{ d.id }}">{{ d.reference }}</a>
  <span class="rag rag--{{ d.rag }}" title="{{ d.rag_detail }}">{{ d.rag_label }}</span></div>
  <p class="kcard__title">{{ d.title }}</p>
  <p class="kcard__tags"><span class="badge badge--{{ d.category }}">{{ d.category_label }}</span>
  <span class="badge">{{ d.context_label }} · {{ d.subtype_label }}</span></p>
  <p class="kcard__facts"><span title="Days since the incident">{{ d.days }}d since incident</span>
  <span title="Days in this stage">{{ d.in_stage }}d in stage</span><span class="kcard__lead">Lead: {{ d.lead }}</span></p>
  <form class="kcard__move" method="post" action="/debriefs/{{ d.id }}/move" hx-post="/debriefs/{{ d.id }}/move"
   hx-target="#card-{{ d.id }}" hx-swap="outerHTML"><input type="hidden" name="csrf_token" value="{{ token }}">
  <input type="hidden" name="from_stage" value="{{ d.stage }}">
  <label class="visually-hidden" for="move-{{ d.id }}">Move {{ d.reference }} to</label>
  <select id="move-{{ d.id }}" name="to_stage" class="kcard__select"><option value="" selected>Move to…</option>
  {% for s in stages if s.value != d.stage %}<option value="{{ s.value }}">{{ s.label }}</option>{% endfor %}</select>
  <button type="submit" class="button button--small">Move</button></form>
</article>{% endfor %}</div></section>{% endfor %}</div></main></body></html>"""


@app.get("/board")
def board():
    stages = [{"value": c["stage"], "label": c["label"]} for c in COLUMNS]
    return render_template_string(PAGE, columns=COLUMNS, stages=stages, token="x" * 91)


@app.get("/healthz")
def healthz():
    return "ok"
