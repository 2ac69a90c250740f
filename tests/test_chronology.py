"""The chronology: ordering, validation, inline editing, conflicts, undo and who sees what."""
from __future__ import annotations

import json
from datetime import date, time

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.models import Agency, AuditEvent, ChronologyEntry, Debrief
from tests.conftest import DaysFromToday, acknowledged_partner, login

HX = {"HX-Request": "true"}


def agency_id(app, name="Police"):
    with app.app_context():
        return db.session.scalar(sa.select(Agency.id).where(Agency.name == name))


def entry_form(app, **over):
    data = {"entry_date": "2025-03-04", "entry_time": "", "date_precision": "exact", "agency_id": str(agency_id(app)),
            "contact_type": "domestic_incident", "summary": "Neighbour reported shouting.", "version": "0"}
    data.update(over)
    return data


def post(client, url, data, htmx=True, token_from="/"):
    token = client.csrf_token(token_from)
    return client.post(url, data=data, headers={"X-CSRFToken": token, **(HX if htmx else {})})


@pytest.fixture
def chron(app, client, signed_in, make_debrief):
    d = make_debrief("chronology")
    signed_in("reviewer")
    return d


def make_entries(app, d, specs):
    police = agency_id(app)  # looked up first: a second session inside the block would wait on this one's lock
    with app.test_request_context():
        from app.chronology import services
        from app.models import User

        actor = db.session.scalar(sa.select(User).where(User.username == "builder"))
        debrief = db.session.get(Debrief, d)
        ids = []
        for spec in specs:
            data = {"entry_date": date(2025, 1, 1), "entry_time": None, "date_precision": "exact",
                    "agency_id": police, "contact_type": "other", "summary": "x", "subject_ids": []}
            data.update(spec)
            ids.append(services.create_entry(debrief, data, actor).id)
        db.session.remove()
        return ids


def shown_order(client, d) -> list[str]:
    import re

    html = client.get(f"/debriefs/{d}/chronology").get_data(as_text=True)
    return re.findall(r'<div class="prewrap">([^<]*)</div>', html)


def test_entries_sort_by_date_then_time_with_untimed_last(app, client, chron):
    make_entries(app, chron, [
        {"entry_date": date(2025, 5, 2), "summary": "untimed second day"},
        {"entry_date": date(2025, 5, 1), "summary": "untimed first day"},
        {"entry_date": date(2025, 5, 1), "entry_time": time(23, 0), "summary": "late first day"},
        {"entry_date": date(2025, 5, 1), "entry_time": time(8, 30), "summary": "early first day"},
        {"entry_date": date(2024, 12, 1), "date_precision": "month", "summary": "month only"},
    ])
    assert shown_order(client, chron) == ["month only", "early first day", "late first day", "untimed first day",
                                          "untimed second day"]
    html = client.get(f"/debriefs/{chron}/chronology").get_data(as_text=True)
    assert "Dec 2024" in html and ">month<" in html  # month-only dates are marked


def test_new_entry_row_opens_with_todays_date_and_saves_inline(app, client, chron):
    r = client.get(f"/debriefs/{chron}/chronology/new", headers=HX)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.lstrip().startswith('<tr id="entry-new"') and "<html" not in html
    assert f'value="{date.today().isoformat()}"' in html
    r = post(client, f"/debriefs/{chron}/chronology", entry_form(app, key_issue="y", entry_time="14:05"))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.lstrip().startswith("<tr id=\"entry-")
    assert "Neighbour reported shouting." in html and "Key issue" in html and "14:05" in html
    assert 'id="chronology-total" hx-swap-oob="true">1 entry' in html
    with app.app_context():
        e = db.session.scalar(sa.select(ChronologyEntry))
        assert e.entry_time == time(14, 5) and e.key_issue


@pytest.mark.parametrize("field, value, message", [
    ("entry_date", "", "Enter the date of the event."),
    ("entry_date", DaysFromToday(2), "cannot be in the future"),
    ("entry_time", "24:61", "Not a valid time value"),
    ("agency_id", "", "Choose the agency."),
    ("agency_id", "999999", "Not a valid choice"),
    ("contact_type", "telepathy", "Not a valid choice"),
    ("summary", "", "Summarise the event: facts only."),
    ("summary", "x" * 5001, "cannot be longer than 5000"),
    ("date_precision", "roughly", "Not a valid choice"),
    ("summary", "Shouting\x00heard", "cannot be stored"),
    ("risk_assessment", "extreme", "Not a valid choice"),
    ("subject_ids", "424242", "Choose people from this debrief"),
])
def test_every_field_is_validated_with_422_beside_it_and_nothing_saved(app, client, chron, field, value, message):
    value = value.iso() if isinstance(value, DaysFromToday) else value
    r = post(client, f"/debriefs/{chron}/chronology", entry_form(app, **{field: value}))
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "<html" not in html
    assert f'id="{field}-error"' in html and message in html, html[:3000]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChronologyEntry)) == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(summary=st.text(min_size=0, max_size=300), when=st.dates(min_value=date(1850, 1, 1), max_value=date(2100, 1, 1)),
       clock=st.one_of(st.none(), st.times()))
def test_any_input_is_saved_exactly_or_refused_cleanly(app, client, chron, summary, when, clock):
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(ChronologyEntry))
    data = entry_form(app, summary=summary, entry_date=when.isoformat(),
                      entry_time=clock.strftime("%H:%M") if clock else "")
    r = post(client, f"/debriefs/{chron}/chronology", data, token_from=f"/debriefs/{chron}")
    assert r.status_code in (200, 422)
    with app.app_context():
        after = db.session.scalar(sa.select(sa.func.count()).select_from(ChronologyEntry))
        if r.status_code == 422:
            assert after == before
        else:
            saved = db.session.scalar(sa.select(ChronologyEntry).order_by(ChronologyEntry.id.desc()))
            assert saved.summary == summary.strip() and saved.entry_date == when
            assert when <= date.today() and when.year >= 1900 and summary.strip()


def test_stale_save_gets_409_shows_both_versions_and_keeps_the_text(app, client, new_client, chron, make_user):
    (eid,) = make_entries(app, chron, [{"summary": "Original summary"}])
    make_user("other", "reviewer")
    other = new_client()
    login(other, "other")
    url = f"/debriefs/{chron}/chronology/{eid}"
    assert post(client, url, entry_form(app, summary="First editor's words", version="1")).status_code == 200
    r = post(other, url, entry_form(app, summary="Second editor's words", version="1"))
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "<html" not in html
    assert "Someone else saved this entry" in html
    assert "First editor&#39;s words" in html and "Second editor&#39;s words" in html
    with app.app_context():
        assert db.session.get(ChronologyEntry, eid).summary == "First editor's words"
    # Saving again from the conflict overwrites knowingly.
    assert post(other, url, entry_form(app, summary="Second editor's words", version="2")).status_code == 200


def test_inline_save_answers_with_the_row_only(app, client, chron):
    (eid,) = make_entries(app, chron, [{"summary": "Before"}])
    r = post(client, f"/debriefs/{chron}/chronology/{eid}", entry_form(app, summary="After", version="1"))
    assert r.status_code == 200 and len(r.data) < 3 * 1024, len(r.data)
    assert r.get_data(as_text=True).lstrip().startswith(f'<tr id="entry-{eid}"')
    assert json.loads(r.headers["HX-Trigger"])["showMessage"]["message"] == "Entry saved."  # announced


def test_delete_asks_and_can_be_undone(app, client, chron):
    (eid,) = make_entries(app, chron, [{"summary": "To be deleted"}])
    edit = client.get(f"/debriefs/{chron}/chronology/{eid}/edit", headers=HX).get_data(as_text=True)
    assert 'hx-confirm="Delete this entry?' in edit
    r = post(client, f"/debriefs/{chron}/chronology/{eid}/delete", {})
    assert r.status_code == 200 and "deleted." in r.get_data(as_text=True) and "Undo" in r.get_data(as_text=True)
    assert "To be deleted" not in client.get(f"/debriefs/{chron}/chronology").get_data(as_text=True)
    assert client.get(f"/debriefs/{chron}/chronology/{eid}/edit").status_code == 404
    r = post(client, f"/debriefs/{chron}/chronology/{eid}/restore", {})
    assert r.status_code == 200 and "To be deleted" in r.get_data(as_text=True)
    assert json.loads(r.headers["HX-Trigger"])["showMessage"]["message"] == "Entry restored."
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "chronology_entry")
                                     .order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["chronology_entry.delete", "chronology_entry.restore"]


def test_no_javascript_edit_uses_a_page_and_redirects(app, client, chron):
    (eid,) = make_entries(app, chron, [{"summary": "Plain form"}])
    page = client.get(f"/debriefs/{chron}/chronology/{eid}/edit")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    r = post(client, f"/debriefs/{chron}/chronology/{eid}", entry_form(app, summary="Edited plainly", version="1"),
             htmx=False)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/chronology#entry-{eid}")


def test_filters_and_key_events_round_trip_through_the_url(app, client, chron):
    with app.test_request_context():
        from app.scoping.services import add_subject
        from app.models import SubjectRole

        s = add_subject(db.session.get(Debrief, chron), role=SubjectRole.VICTIM, real_name="Vera Victim",
                        date_of_birth=None).id
    gp = agency_id(app, "GP")
    make_entries(app, chron, [
        {"summary": "police key", "key_issue": True, "subject_ids": [s]},
        {"summary": "health missed", "agency_id": gp, "missed_opportunity": True},
        {"summary": "pivot moment", "turning_point": True},
    ])
    base = f"/debriefs/{chron}/chronology"
    assert shown_order(client, chron) == ["police key", "health missed", "pivot moment"]
    html = client.get(f"{base}?agency={agency_id(app, 'GP')}").get_data(as_text=True)
    assert "health missed" in html and "police key" not in html and "showing 1" in html
    html = client.get(f"{base}?subject={s}").get_data(as_text=True)
    assert "police key" in html and "pivot moment" not in html
    html = client.get(f"{base}?flag=missed_opportunity").get_data(as_text=True)
    assert "health missed" in html and "police key" not in html
    html = client.get(f"{base}?key=y").get_data(as_text=True)
    assert "police key" in html and "pivot moment" in html and "health missed" not in html
    assert 'checked' in html and 'id="key"' in html
    html = client.get(f"{base}?q=MISSED", headers=HX).get_data(as_text=True)
    assert "health missed" in html and "police key" not in html and "<html" not in html


def test_chronology_gate_needs_entries_and_key_issues(app, client, chron):
    from tests.test_debriefs import move

    r = move(client, chron, "debrief", from_stage="chronology")
    assert r.status_code == 422
    assert "at least one chronology entry" in r.get_data(as_text=True)
    make_entries(app, chron, [{"summary": "not key"}])
    r = move(client, chron, "debrief", from_stage="chronology")
    assert "key issues marked in the chronology" in r.get_data(as_text=True)
    make_entries(app, chron, [{"summary": "key", "key_issue": True}])
    assert move(client, chron, "debrief", from_stage="chronology").status_code == 200


@pytest.mark.parametrize("role", ["member", "partner"])
def test_participants_read_the_chronology_with_names_replaced(app, client, new_client, make_user, make_debrief, role):
    d = make_debrief("chronology")
    with app.test_request_context():
        from app.models import SubjectRole
        from app.scoping.services import add_subject

        sid = add_subject(db.session.get(Debrief, d), role=SubjectRole.VICTIM, real_name="Petra Hiddenname",
                          date_of_birth=None).id
    make_entries(app, d, [{"summary": "Petra Hiddenname called 999; PETRA was upset.", "subject_ids": [sid],
                           "significance": "Hiddenname's risk was not reassessed."}])
    make_user("viewer", role)
    with app.test_request_context():
        from app.debriefs import services
        from app.models import User

        services.add_participant(db.session.get(Debrief, d),
                                 db.session.scalar(sa.select(User).where(User.username == "viewer")),
                                 db.session.scalar(sa.select(User).where(User.username == "builder")))
    if role == "partner":
        acknowledged_partner(app, d, "viewer")
    login(client, "viewer")
    with app.app_context():
        eid = db.session.scalar(sa.select(ChronologyEntry.id))
    for path, headers in [(f"/debriefs/{d}/chronology", {}), (f"/debriefs/{d}/chronology", HX),
                          (f"/debriefs/{d}/chronology/{eid}", HX), (f"/debriefs/{d}/chronology?q=petra", {})]:
        html = client.get(path, headers=headers).get_data(as_text=True)
        assert "Petra" not in html and "PETRA" not in html and "Hiddenname" not in html, path
    html = client.get(f"/debriefs/{d}/chronology").get_data(as_text=True)
    assert "Adult A called 999; Adult A was upset." in html and "Adult A&#39;s risk" in html
    assert "showing 0" in client.get(f"/debriefs/{d}/chronology?q=hiddenname").get_data(as_text=True)
    assert client.get(f"/debriefs/{d}/chronology/{eid}/edit").status_code == 403


def test_board_and_working_group_do_not_read_chronologies(app, client, signed_in, make_debrief):
    d = make_debrief("chronology")
    signed_in("board", "working_group")
    assert client.get(f"/debriefs/{d}/chronology").status_code == 403
