"""No input and no race gives a 5xx: bad values answer 4xx with a message beside the field, unknown or
out-of-range ids answer 404, and two saves at the same moment give the usual 409."""
from __future__ import annotations

import io
import os
import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from tests.conftest import login, run_in_threads

NASTY = st.sampled_from(["", " ", "   ", "\n", "\t", "-1", "0", "9" * 25, str(2**63), "1e309", "NaN", "2026-02-30",
                         "30/02/2026", "99:99", "user:" + "9" * 25, "team:-1", "a" * 6000, "<script>x</script>",
                         "'; DROP TABLE debrief; --", "İlker YILMAZ", "\u202e", "yes", "on", "y", "internal", "csv"])
VALUES = st.one_of(NASTY, st.text(max_size=40), st.integers(min_value=-2**70, max_value=2**70).map(str))


def _form_fields() -> list[str]:
    """Every field name of every form in the app (without prefixes)."""
    from wtforms.fields.core import UnboundField

    from app.forms import BaseForm

    names, stack = set(), [BaseForm]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        for klass in cls.__mro__:
            names |= {k for k, v in vars(klass).items() if isinstance(v, UnboundField)}
    return sorted(names)


QUERY_NAMES = ["q", "page", "status", "owner", "view", "category", "context", "lead", "stage", "version", "view_as",
               "due_within", "age", "theme", "department", "overdue", "agency", "subject", "flag", "key", "format",
               "cancel", "debrief", "field", "from", "to", "user", "action", "operation", "recipient"]


@pytest.fixture
def case(app, make_user, make_debrief):
    """A debrief in Monitoring with a subject, an entry, a meeting, a learning point and an owned action."""
    from app import demo
    from app.models import Action, ChronologyEntry, Debrief, LearningPoint, Subject

    with app.test_request_context():
        demo.seed()
        demo.seed_debriefs()
        d = db.session.scalar(sa.select(Debrief).where(Debrief.stage == "monitoring"))
        ids = {"debrief_id": d.id,
               "action_id": db.session.scalar(sa.select(Action.id).where(Action.debrief_id == d.id)),
               "entry_id": db.session.scalar(sa.select(ChronologyEntry.id).where(ChronologyEntry.debrief_id == d.id)),
               "subject_id": db.session.scalar(sa.select(Subject.id).where(Subject.debrief_id == d.id)),
               "point_id": db.session.scalar(sa.select(LearningPoint.id).where(LearningPoint.debrief_id == d.id)),
               "number": 1, "extension_id": 1, "review_type": "dardr", "user_id": 1, "item_id": 1, "import_id": 1, "chart": "volumes", "pack_id": 1,
               "hold_id": 1, "disposal_id": 1, "invitee_id": 1, "position": 1, "contribution_id": 1}
        db.session.remove()
    return ids


def _signed_in(new_client, username):
    from app.demo import DEMO_PASSWORD

    c = new_client()
    assert login(c, username, password=DEMO_PASSWORD).status_code == 302
    return c


def _rules(app, method):
    return [r for r in app.url_map.iter_rules() if method in r.methods and r.endpoint != "static"
            and r.endpoint not in ("auth.logout",)]


def _path(rule, ids, override=None):
    from flask import url_for

    values = {a: (override if override is not None else ids[a]) for a in rule.arguments - set(rule.defaults or ())}
    return url_for(rule.endpoint, **values)


def test_named_causes_answer_4xx(app, new_client, case):
    c = _signed_in(new_client, "reviewer")
    d = case["debrief_id"]
    token = c.csrf_token("/debriefs/new")
    r = c.post("/debriefs/new", data={"csrf_token": token, "title": "x", "context": "bogus", "subtype": "familial",
                                      "category": "homicide", "dmm_date": "2026-11-01", "incident_date": "2026-11-01",
                                      "offence": "murder", "referred_by": "x"})
    assert r.status_code == 422
    assert c.get("/debriefs/9223372036854775808").status_code == 404
    assert c.get(f"/actions/{2**70}").status_code == 404
    r = c.post(f"/debriefs/{d}/chronology", data={"csrf_token": token, "entry_date": "2025-01-01",
                                                  "date_precision": "exact", "agency_id": "1", "contact_type": "call",
                                                  "summary": "Spaces for a risk", "risk_assessment": "   "})
    assert r.status_code == 302
    big = "date,agency,contact_type,event_summary\n01/01/2025,Police,call," + "a" * 140_000 + "\n"
    r = c.post(f"/debriefs/{d}/chronology/import", data={"csrf_token": token, "file": (io.BytesIO(big.encode()), "x.csv")},
               content_type="multipart/form-data")
    assert r.status_code == 422 and "longer than" in r.get_data(as_text=True)


# FUZZ_EXAMPLES raises the number of examples; FUZZ_RANDOM=1 explores beyond CI's fixed sequence.
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "120")), deadline=None,
                derandomize=not os.environ.get("FUZZ_RANDOM"), suppress_health_check=list(HealthCheck))


def _clients_once(app, new_client, usernames) -> dict:
    """Signed-in clients, made once per app and reused by every example."""
    cache = app.extensions.setdefault("fuzz_clients", {})
    for name in usernames:
        if name not in cache:
            cache[name] = _signed_in(new_client, name)
    return {name: cache[name] for name in usernames}


@FUZZ
@given(data=st.data())
def test_no_form_post_gives_a_server_error(app, new_client, case, data):
    users = _clients_once(app, new_client, ("reviewer", "member", "wgroup"))
    fields = _form_fields()
    with app.test_request_context():
        rules = _rules(app, "POST")
        rule = data.draw(st.sampled_from(rules), label="route")
        path = _path(rule, case)
    who = data.draw(st.sampled_from(sorted(users)), label="user")
    c = users[who]
    names = data.draw(st.lists(st.sampled_from(fields), max_size=8, unique=True), label="fields")
    prefix = data.draw(st.sampled_from(["", f"u{case['action_id']}-", f"a{case['point_id']}-"]), label="prefix")
    form = {prefix + n: data.draw(VALUES, label=n) for n in names}
    token = re.search(r'"X-CSRFToken": "([^"]+)"', c.get("/account").get_data(as_text=True)).group(1)
    headers = {"HX-Request": "true"} if data.draw(st.booleans(), label="htmx") else {}
    r = c.post(path, data={**form, "csrf_token": token}, headers=headers)
    assert r.status_code < 500, (rule.rule, who, form, r.status_code)


@FUZZ
@given(data=st.data())
def test_no_path_or_query_gives_a_server_error(app, new_client, case, data):
    users = _clients_once(app, new_client, ("reviewer", "partner", "board"))
    with app.test_request_context():
        rule = data.draw(st.sampled_from(_rules(app, "GET")), label="route")
        override = data.draw(st.one_of(st.none(), st.integers(min_value=0, max_value=2**70)), label="id")
        path = _path(rule, case, override)
    query = data.draw(st.dictionaries(st.sampled_from(QUERY_NAMES), VALUES, max_size=5), label="query")
    c = users[data.draw(st.sampled_from(sorted(users)), label="user")]
    r = c.get(path, query_string=query, headers={"HX-Request": "true"} if data.draw(st.booleans()) else {})
    assert r.status_code < 500, (rule.rule, path, query, r.status_code)


def test_fifty_editors_saving_at_once_get_saves_or_409s_never_500(app, new_client, case):
    """Everyone loaded version 1 of the same chronology entry and saves at the same moment."""
    from app.models import ChronologyEntry

    d, e = case["debrief_id"], case["entry_id"]
    with app.app_context():
        entry = db.session.get(ChronologyEntry, e)
        version, agency = entry.version, entry.agency_id
    statuses = []

    def save(n):
        client = _signed_in(new_client, "reviewer")
        r = client.post(f"/debriefs/{d}/chronology/{e}", headers={"HX-Request": "true"}, data={
            "csrf_token": client.csrf_token(f"/debriefs/{d}/chronology"),
            "entry_date": "2025-01-02", "date_precision": "exact", "agency_id": str(agency), "contact_type": "call",
            "summary": f"Editor {n} wrote this", "version": str(version)})
        statuses.append(r.status_code)

    assert run_in_threads(50, save) == []
    assert not [s for s in statuses if s >= 500], statuses
    assert statuses.count(200) == 1 and statuses.count(409) == 49, sorted(statuses)
    with app.app_context():
        saved = db.session.get(ChronologyEntry, e)
        assert saved.version == version + 1 and saved.summary.startswith("Editor ")
