"""The anonymised learning exchange: export -> schema -> import into another force's database -> suggestions
show "seen in another force"; a malformed file refused whole; nothing identifying leaves."""
from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator

from app.extensions import db
from app.models import Action, Debrief, LearningDocument, LearningPoint, User
from app.models.exchange import ExchangeImport, ExchangeLearning
from tests.conftest import BrowserLikeClient, login, make_app, reset_database
from tests.test_learning import add_point, point_id, theme_id

NAME, PLACE, AREA = "Perpetua Vandersloot", "Quillfeather Road", "Brackenmoor"
STATEMENT = (f"{NAME}'s disclosure to the GP on 14 March 2026 at 23:40 and the later 999 call to 12 {PLACE}, "
             f"{AREA} (HPD-2026-003, log 4471/26) were not connected; the risk was not reassessed.")


@pytest.fixture
def issued(app, client, signed_in, make_debrief):
    """A debrief with a named subject, an issued document, a learning point naming them and an action."""
    from app.models import SubjectRole
    from app.scoping import services as scoping

    signed_in("reviewer")
    d = make_debrief("learning", title=f"Assault at {PLACE}")
    with app.test_request_context():
        debrief = db.session.get(Debrief, d)
        debrief.policing_area = AREA
        scoping.add_subject(debrief, role=SubjectRole.VICTIM, real_name=NAME, date_of_birth=date(1990, 1, 2))
        db.session.commit()
    add_point(client, d, STATEMENT, themes=[theme_id(app), theme_id(app, "Information sharing")])
    with app.app_context():
        p = db.session.get(LearningPoint, point_id(app, d))
        p.actions.append(Action(debrief_id=d, number=1, what=f"Brief staff on {NAME}'s case", scope="force",
                                priority="high", status="closed", due_on=date.today() + timedelta(days=9),
                                owner_user_id=db.session.scalar(sa.select(User.id).limit(1)),
                                review_on=date.today(), review_result="Practice changed"))
        db.session.add(LearningDocument(debrief_id=d, number=1, internal_docx=b"", shared_docx=b"",
                                        internal_html="", shared_html="", dissemination_plan="Briefing"))
        db.session.commit()
    return d


def _export(client, recipient="Regional homicide working group"):
    return client.post_form("/exchange/export", {"recipient": recipient}, token_from="/exchange")


def _schema():
    from app.exchange.services import schema

    return schema("1.0")


def test_export_meets_the_schema_names_its_recipient_and_carries_nothing_identifying(app, client, issued):
    r = _export(client)
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert "attachment" in r.headers["Content-Disposition"]
    text = r.get_data(as_text=True)
    doc = json.loads(text)
    assert not list(Draft202012Validator(_schema()).iter_errors(doc))
    assert doc["prepared_for"] == "Regional homicide working group" and re.fullmatch(r"\d{4}-\d{2}", doc["exported"])
    [record] = doc["records"]
    assert record["statement"].startswith("Adult A") and "not connected" in record["statement"]
    assert record["themes"] == ["Information sharing", "Risk assessment"]
    assert record["actions"] == [{"type": "force", "priority": "high", "status": "closed", "outcome": "done",
                                  "effectiveness": "reviewed"}]
    assert re.fullmatch(r"[0-9a-f]{32}", record["record_id"]) and str(point_id(app, issued)) != record["record_id"]
    for planted in ("Perpetua", "Vandersloot", "Quillfeather", AREA, "HPD-", "4471", "14 March", "23:40",
                    "1990", "Assault at"):
        assert planted.lower() not in text.lower(), planted
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}", text)  # no date to the day
    with app.app_context():
        event = db.session.execute(sa.text("select operation, recipient, records from audit_event "
                                           "where action = 'exchange.export'")).one()
        assert event[0] == "disclosure" and event[1] == "Regional homicide working group"
        assert event[2] == str(point_id(app, issued))


def test_export_needs_a_recipient_and_learning_not_yet_issued_stays_home(app, client, issued, make_debrief):
    r = _export(client, recipient="")
    assert r.status_code == 422 and 'id="recipient-error"' in r.get_data(as_text=True)
    draft = make_debrief("learning", title="Not issued")
    add_point(client, draft, "Draft learning that has not been issued", themes=[theme_id(app)])
    doc = json.loads(_export(client).get_data(as_text=True))
    assert [r["statement"] for r in doc["records"] if "Draft" in r["statement"]] == []


def test_round_trip_into_another_forces_database_shows_seen_in_another_force(app, client, issued, tmp_path,
                                                                              make_user):
    raw = _export(client).get_data()
    # Another force: its own database and its own review team.
    other = make_app(f"sqlite:///{tmp_path / 'other-force.sqlite3'}", ORGANISATION_NAME="Other Constabulary")
    reset_database(other)
    from app.admin.services import create_user
    from app.debriefs import services as debriefs
    from app.models import Decision, Theme

    with other.test_request_context():
        user = create_user(username="rev", full_name="Other Reviewer", email=None, roles=["reviewer"],
                           password="correct horse battery staple 42", must_change_password=False)
        d = debriefs.create_referral({
            "title": "Their case", "dmm_date": date.today(), "incident_date": date.today(), "incident_time": None,
            "occurrence_ref": None, "category": "homicide", "context": "domestic", "subtype": "intimate_partner",
            "offence": "murder", "weapon": None, "policing_area": "North", "summary": "s", "referred_by": "x",
            "lead_reviewer_id": user.id}, user)
        debriefs.record_decision(d, decision=Decision.ACCEPTED, rationale="r", decided_by="x",
                                 decided_on=date.today(), actor=user, move=False)
        their_debrief = d.id
        risk = db.session.scalar(sa.select(Theme.id).where(Theme.name == "Risk assessment"))
        db.session.remove()
    other.test_client_class = BrowserLikeClient
    them = other.test_client()
    assert login(them, "rev", password="correct horse battery staple 42").status_code == 302
    r = them.post_form("/exchange/import", {"file": (io.BytesIO(raw), "exchange.json")}, token_from="/exchange",
                       content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    page = them.get("/exchange").get_data(as_text=True)
    assert "Test Reviewer" not in page and re.search(r"<td[^>]*>\s*1\s*</td>", page)
    with other.app_context():
        imp = db.session.scalar(sa.select(ExchangeImport))
        assert (imp.records, imp.schema_version) == (1, "1.0")
        assert db.session.execute(sa.text("select operation from audit_event where action = 'exchange.import'")
                                  ).scalar() == "combination"
    # The same lesson written there is offered as seen in another force.
    html = them.get(f"/debriefs/{their_debrief}/learning/earlier?theme_ids={risk}&statement="
                    "Adult A's disclosure to the GP and the later 999 call were not connected; the risk was not "
                    "reassessed.", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Seen in another force" in html and imp.source_force in html
    assert "force: closed" in html
    # Importing the same file again is refused; nothing is added.
    again = them.post_form("/exchange/import", {"file": (io.BytesIO(raw), "exchange.json")}, token_from="/exchange",
                           content_type="multipart/form-data")
    assert again.status_code == 422 and "already imported" in again.get_data(as_text=True)
    with other.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeLearning)) == 1
        db.session.remove()
        db.engine.dispose()


def _good_file(records: int = 3) -> dict:
    return {"schema": "learning-exchange", "schema_version": "1.0", "source_force": "Elsewhere Police",
            "exported": "2026-05", "records": [
                {"record_id": f"rec-{n:06d}", "month": "2026-04", "kind": "improvement", "category": "homicide",
                 "context": "domestic", "statement": f"Lesson {n}: risk was not reassessed.",
                 "themes": ["Risk assessment"], "actions": [{"type": "force", "status": "open", "outcome": "pending"}]}
                for n in range(records)]}


def test_a_malformed_file_is_refused_whole_with_errors_by_record_and_field(app, client, signed_in):
    signed_in("reviewer")
    bad = _good_file()
    bad["records"][1]["month"] = "2026-04-14"  # a day: refused
    bad["records"][2]["actions"][0]["status"] = "finished"
    del bad["records"][2]["statement"]
    r = client.post_form("/exchange/import", {"file": (io.BytesIO(json.dumps(bad).encode()), "bad.json")},
                         token_from="/exchange", content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Nothing was imported: 3 problems" in html
    assert "Record 2, field month" in html and "Record 3, field actions.1.status" in html
    assert "Record 3: &#39;statement&#39; is a required property" in html
    for junk, message in ((b"{not json", "not valid JSON"), (b'{"schema": "other"}', "not a learning exchange"),
                          (b"\xff\xfe", "not UTF-8")):
        r = client.post_form("/exchange/import", {"file": (io.BytesIO(junk), "x.json")}, token_from="/exchange",
                             content_type="multipart/form-data")
        assert r.status_code == 422 and message in r.get_data(as_text=True)
    dup = _good_file(2)
    dup["records"][1]["record_id"] = dup["records"][0]["record_id"]
    r = client.post_form("/exchange/import", {"file": (io.BytesIO(json.dumps(dup).encode()), "d.json")},
                         token_from="/exchange", content_type="multipart/form-data")
    assert r.status_code == 422 and "Record 2, field record_id: the same id as record 1" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeImport)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeLearning)) == 0
    ok = client.post_form("/exchange/import", {"file": (io.BytesIO(json.dumps(_good_file()).encode()), "ok.json")},
                          token_from="/exchange", content_type="multipart/form-data")
    assert ok.status_code == 302


def test_who_may_use_the_exchange(app, client, make_user):
    make_user("adm", "admin")
    make_user("wg", "working_group")
    login(client, "wg")
    assert client.get("/exchange").status_code == 403
    client.post_form("/logout", {}, token_from="/account")
    login(client, "adm")
    page = client.get("/exchange")
    assert page.status_code == 200 and "Files imported" in page.get_data(as_text=True)
    assert "Download the exchange file" not in page.get_data(as_text=True)
    token = client.csrf_token("/account")
    assert client.post("/exchange/export", data={"csrf_token": token, "recipient": "x"}).status_code == 403


def test_the_command_writes_the_same_file(app, issued, tmp_path):
    out = tmp_path / "exchange.json"
    result = app.test_cli_runner().invoke(args=["exchange-export", "--recipient", "National working group",
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert not list(Draft202012Validator(_schema()).iter_errors(doc))
    assert len(doc["records"]) == 1 and NAME not in out.read_text()
