"""Every page that shows personal data writes its consultation row; a refused request is logged as a refusal.

The walk covers every GET route in `app.url_map` as the review team sees it, so a page added later is
checked without editing this file: it either logs its reads, or is named below as showing no personal data.
"""
from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Debrief
from tests.conftest import login
from tests.test_disclosure_crawl import _url, planted  # noqa: F401 - the crawl's planted case, reused

# Pages that show no personal data (and why), so they log no consultation.
NO_PERSONAL_DATA = {
    "auth.change_password": "the signed-in user's own password form",
    "auth.two_factor_setup": "the signed-in user's own two-factor set-up",
    "auth.session_status": "how long the signed-in user's own session has left",
    "main.healthz": "a health check",
    "main.print_marking": "the protective marking for printed pages' margins",
    "governance.packs_index": "the list of issued board packs: quarters, versions and who issued them",
    "chronology.template": "the empty import template",
    "debriefs.new_referral": "an empty referral form",
    "records.access_reason": "asks why, before the debrief is shown",
    "records.people": "the person search before anything is searched for (a search is logged)",
}


def _consultations(app) -> int:
    """Views (consultations) and documents shown on screen (disclosures to the reader)."""
    with app.app_context():
        n = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                              .where(AuditEvent.operation.in_(("consultation", "disclosure"))))
        db.session.remove()
        return n


def test_every_page_with_personal_data_logs_its_read(app, new_client, planted):  # noqa: F811
    from app.demo import DEMO_PASSWORD

    ids, _ = planted
    c = new_client()
    assert login(c, "reviewer", password=DEMO_PASSWORD).status_code == 302
    with app.test_request_context():
        rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static" and "GET" in r.methods),
                       key=lambda r: r.rule)
        urls = [(r.endpoint, _url(r, ids)) for r in rules]
    silent = []
    for endpoint, url in urls:
        before = _consultations(app)
        r = c.get(url)
        if r.status_code == 200 and _consultations(app) == before and endpoint not in NO_PERSONAL_DATA:
            silent.append(endpoint)
    assert silent == [], " ".join(silent)


def test_a_refused_request_is_logged_as_a_refusal_not_a_read(app, new_client, planted):  # noqa: F811
    from app.demo import DEMO_PASSWORD

    ids, _ = planted
    c = new_client()
    assert login(c, "member", password=DEMO_PASSWORD).status_code == 302
    before = _consultations(app)
    assert c.get("/debriefs/987654/parameters").status_code == 404
    assert c.get("/debriefs/987654/chronology").status_code == 404
    assert _consultations(app) == before
    with app.app_context():
        refused = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "access.refused")).all()
        assert [(e.object_type, e.object_id, e.reason) for e in refused] == [
            ("debrief", "987654", "parameters.view: 404"), ("debrief", "987654", "chronology.view: 404")]


def test_list_pages_record_which_records_they_showed(app, client, signed_in, make_debrief):
    first, second = make_debrief("scoping"), make_debrief("chronology")
    signed_in("reviewer")
    client.get("/board")
    client.get("/debriefs")
    client.get("/actions")
    with app.app_context():
        rows = {e.action: e.records for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.operation == "consultation"))}
    assert sorted(rows["board.view"].split(",")) == sorted([str(first), str(second)])
    assert sorted(rows["debrief.list"].split(",")) == sorted([str(first), str(second)])
    assert rows["actions.view"] is None  # no action shown, none recorded
    # The ids are covered by the chain: changing them is tampering.
    from app import audit_chain

    with app.app_context():
        assert audit_chain.verify().intact
        db.session.remove()


def test_the_auditor_finds_everything_about_one_debrief_or_one_person(app, client, new_client, signed_in,
                                                                       make_debrief, make_user):
    from app.models import SubjectRole
    from app.scoping import services as scoping

    target, other = make_debrief("scoping"), make_debrief("scoping")
    with app.test_request_context():
        d = db.session.get(Debrief, target)
        person = scoping.add_subject(d, role=SubjectRole.VICTIM, real_name="Pat Example", date_of_birth=None)
        reference, subject_id, pseudonym = d.reference, person.id, person.pseudonym
        db.session.remove()
    signed_in("reviewer", username="rita")
    client.get(f"/debriefs/{target}")
    client.get(f"/debriefs/{other}")
    client.get("/board")
    make_user("dpo", "auditor")
    auditor = new_client()
    login(auditor, "dpo")
    html = auditor.get(f"/audit/?debrief={reference}").get_data(as_text=True)
    found = set(re.findall(r"<code>([a-z_.]+)</code>", html))
    assert {"debrief.view", "board.view", "subject.create"} <= found, found
    assert f"debrief {other}<" not in html and f"debrief {target}" in html
    html = auditor.get(f"/audit/?debrief={reference}&pseudonym={pseudonym}").get_data(as_text=True)
    assert set(re.findall(r"<code>([a-z_.]+)</code>", html)) == {"subject.create"}
    assert f"subject {subject_id}" in html
    assert "0 entries" in auditor.get("/audit/?debrief=HPD-1999-999").get_data(as_text=True)


ESCAPED_CONTROLS = re.compile(r"&lt;(form|input|select|textarea|button)\b")


def test_every_page_without_javascript_shows_its_forms_as_forms(app, new_client, planted):  # noqa: F811
    """A page opened directly (no htmx) never shows a form as escaped text, whatever fragment it wraps."""
    from app.demo import DEMO_PASSWORD

    ids, _ = planted
    c = new_client()
    assert login(c, "reviewer", password=DEMO_PASSWORD).status_code == 302
    with app.test_request_context():
        urls = [_url(r, ids) for r in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
                if r.endpoint != "static" and "GET" in r.methods]
    shown_as_text = []
    for url in urls:
        r = c.get(url)
        if r.status_code == 200 and (r.mimetype or "") == "text/html":
            if ESCAPED_CONTROLS.search(r.get_data(as_text=True)):
                shown_as_text.append(url)
    assert shown_as_text == []
    page = c.get(f"/debriefs/{ids['debrief_id']}/parameters/edit").get_data(as_text=True)
    assert re.search(r'<form[^>]+action="/debriefs/\d+/parameters"', page) and "<textarea" in page
