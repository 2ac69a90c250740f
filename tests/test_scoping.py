"""Subjects with pseudonyms, parameters edited in place, and the Scoping gate."""
from __future__ import annotations

from datetime import date, timedelta

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Debrief, Parameters, Subject
from tests.conftest import RANDOM_HEX, acknowledged_partner, login, team_id
from tests.test_learning import issue_fields

HX = {"HX-Request": "true"}


def add_subject(client, d, name, role="victim", dob=""):
    return client.post_form(f"/debriefs/{d}/subjects", {"real_name": name, "role": role, "date_of_birth": dob},
                            token_from=f"/debriefs/{d}")


def subjects(app, d):
    with app.app_context():
        rows = db.session.execute(sa.select(Subject.real_name, Subject.pseudonym).where(Subject.debrief_id == d)
                                  .order_by(Subject.pseudonym_index)).all()
    return [tuple(r) for r in rows]


# ---- subjects -------------------------------------------------------------------

def test_pseudonyms_are_allocated_in_order_and_never_reused(app, client, signed_in, make_debrief):
    d = make_debrief()
    signed_in("reviewer")
    assert add_subject(client, d, "Alice Victimname").status_code == 302
    assert add_subject(client, d, "Bobby Childname", role="child").status_code == 302
    young = (date.today() - timedelta(days=365 * 15)).isoformat()
    assert add_subject(client, d, "Carl Youngname", role="suspect", dob=young).status_code == 302
    assert subjects(app, d) == [("Alice Victimname", "Adult A"), ("Bobby Childname", "Child B"),
                                ("Carl Youngname", "Child C")]
    with app.app_context():
        carl = db.session.scalar(sa.select(Subject.id).where(Subject.real_name == "Carl Youngname"))
    r = client.post_form(f"/debriefs/{d}/subjects/{carl}/delete", token_from=f"/debriefs/{d}/subjects/{carl}")
    assert r.status_code == 302
    add_subject(client, d, "Dora Lastname", role="family")
    assert subjects(app, d)[-1] == ("Dora Lastname", "Adult D")
    with app.app_context():
        erased = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.operation == "erasure"))
        assert erased.object_type == "subject" and erased.fields == "address,aliases,date_of_birth,phone,real_name,role"


def test_bad_subject_input_gets_422_and_nothing_saved(app, client, signed_in, make_debrief):
    d = make_debrief()
    signed_in("reviewer")
    r = add_subject(client, d, "", role="pirate", dob=(date.today() + timedelta(days=3)).isoformat())
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    for fid in ("real_name", "role", "date_of_birth"):
        assert f'id="{fid}-error"' in html
    assert subjects(app, d) == []


def test_stale_subject_edit_gets_409_and_keeps_the_text(app, client, new_client, signed_in, make_user, make_debrief):
    d = make_debrief()
    signed_in("reviewer")
    add_subject(client, d, "Alice Victimname")
    with app.app_context():
        sid = db.session.scalar(sa.select(Subject.id))
    make_user("other", "reviewer")
    other = new_client()
    login(other, "other")
    url = f"/debriefs/{d}/subjects/{sid}"
    assert client.post_form(url, {"real_name": "Alice Newname", "role": "victim", "version": "1"}).status_code == 302
    r = other.post_form(url, {"real_name": "Alicia Victimname", "role": "victim", "version": "1"})
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "Alice Newname" in html and 'value="Alicia Victimname"' in html
    assert subjects(app, d) == [("Alice Newname", "Adult A")]


# ---- parameters -----------------------------------------------------------------

def params_form(version="0", **over):
    data = {"review_from": "2025-01-01", "review_to": "2026-01-01", "key_questions": "Was risk assessed?\nWas MARAC used?",
            "exclusions": "Matters subject to the criminal investigation", "sio_name": "DCI Example",
            "sio_consulted_on": date.today().isoformat(), "sio_conditions": "", "version": version}
    data.update(over)
    return data


def save_params(client, d, data, htmx=True):
    token = client.csrf_token(f"/debriefs/{d}")
    headers = {"X-CSRFToken": token, **(HX if htmx else {})}
    return client.post(f"/debriefs/{d}/parameters", data=data, headers=headers)


def test_parameters_are_edited_in_place_with_htmx(app, client, signed_in, make_debrief):
    d = make_debrief("scoping")
    signed_in("reviewer")
    edit = client.get(f"/debriefs/{d}/parameters/edit", headers=HX)
    html = edit.get_data(as_text=True)
    assert edit.status_code == 200 and "<html" not in html and html.lstrip().startswith('<section id="parameters"')
    assert "Matters subject to the criminal investigation" in html  # the usual exclusions are offered
    r = save_params(client, d, params_form())
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in html
    assert "Was MARAC used?" in html and "Draft" in html and "DCI Example" in html
    assert len(r.data) < 8 * 1024
    with app.app_context():
        p = db.session.scalar(sa.select(Parameters))
        assert p.questions == ["Was risk assessed?", "Was MARAC used?"] and p.version == 1


def test_invalid_parameters_get_422_beside_the_field_and_nothing_saved(app, client, signed_in, make_debrief):
    d = make_debrief("scoping")
    signed_in("reviewer")
    r = save_params(client, d, params_form(review_to="2024-01-01", sio_name="",
                                           sio_consulted_on=(date.today() + timedelta(days=1)).isoformat()))
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "<html" not in html
    assert 'id="review_to-error"' in html and "before its start" in html
    assert 'id="sio_consulted_on-error"' in html
    assert "Was MARAC used?" in html  # what was typed comes back
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Parameters)) == 0


def test_stale_parameters_get_409_with_both_versions(app, client, new_client, signed_in, make_user, make_debrief):
    d = make_debrief("scoping")
    signed_in("reviewer")
    make_user("other", "reviewer")
    other = new_client()
    login(other, "other")
    assert save_params(client, d, params_form(key_questions="First question")).status_code == 200
    r = save_params(other, d, params_form(key_questions="Second question"))
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "First question" in html and "Second question" in html
    with app.app_context():
        assert db.session.scalar(sa.select(Parameters)).key_questions == "First question"


def test_after_sign_off_a_change_needs_a_reason(app, client, signed_in, make_debrief):
    d = make_debrief("scoping")
    signed_in("reviewer")
    save_params(client, d, params_form())
    token = client.csrf_token(f"/debriefs/{d}")
    r = client.post(f"/debriefs/{d}/parameters/sign-off", headers={"X-CSRFToken": token, **HX})
    assert r.status_code == 200 and "Signed off" in r.get_data(as_text=True)
    r = save_params(client, d, params_form(version="2", key_questions="A new question"))
    assert r.status_code == 422 and "Say why the signed-off parameters are changing." in r.get_data(as_text=True)
    r = save_params(client, d, params_form(version="2", key_questions="A new question", reason="SIO asked for it"))
    assert r.status_code == 200
    with app.app_context():
        p = db.session.scalar(sa.select(Parameters))
        assert p.key_questions == "A new question"
        assert [(rv.reason, rv.fields) for rv in p.revisions] == [("SIO asked for it", "key_questions")]


def test_scoping_gate_checks_parameters_and_sio(app, client, signed_in, make_debrief):
    from tests.test_debriefs import move

    d = make_debrief("scoping")
    signed_in("reviewer")
    r = move(client, d, "chronology", from_stage="scoping")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    for missing in ("the review period", "at least one key question", "the SIO consultation (who and when)",
                    "sign-off of the parameters"):
        assert missing in html
    save_params(client, d, params_form())
    token = client.csrf_token(f"/debriefs/{d}")
    client.post(f"/debriefs/{d}/parameters/sign-off", headers={"X-CSRFToken": token, **HX})
    assert move(client, d, "chronology", from_stage="scoping").status_code == 200


def test_only_reviewers_change_parameters_or_subjects(app, client, signed_in, make_debrief):
    d = make_debrief("scoping", participants=())
    signed_in("board", "working_group")
    assert save_params(client, d, params_form()).status_code == 403
    assert client.get(f"/debriefs/{d}/parameters/edit").status_code == 403
    assert add_subject(client, d, "Eve Name").status_code == 403


# ---- real names never reach other roles ---------------------------------------

def _every_get_page_of(app, d, sid, eid, point_id=1, number=1):
    """Every GET route about a debrief, filled in: new routes are covered without touching this test."""
    paths = ["/board", "/board/room", "/debriefs", "/debriefs?q=zebulon"]
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or "debrief_id" not in rule.arguments:
            continue
        values = {"debrief_id": d, "subject_id": sid, "entry_id": eid, "review_type": "sar", "import_id": 1,
                  "point_id": point_id, "number": number, "invitee_id": 1, "position": 1}
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), path)
        paths.append(path)
    return paths


@pytest.mark.parametrize("role", ["member", "partner", "board", "working_group"])
def test_real_names_never_appear_for_other_roles(app, client, new_client, signed_in, make_user, make_debrief, role):
    from tests.test_chronology import make_entries

    d = make_debrief("scoping")
    reviewer = new_client()
    make_user("rev", "reviewer")
    login(reviewer, "rev")
    add_subject(reviewer, d, "Zebulon Secretname", dob="1980-02-03")
    with app.app_context():
        sid = db.session.scalar(sa.select(Subject.id))
    save_params(reviewer, d, params_form(subject_ids=[str(sid)]))
    (eid,) = make_entries(app, d, [{"summary": "Zebulon Secretname rang 999", "subject_ids": [sid],
                                    "key_issue": True, "significance": "Secretname was not seen"}])
    reviewer.post_form(f"/debriefs/{d}/reviews/sar", {"applies": "yes", "why": "Zebulon needed care",
                                                       "version": "0"})
    with app.app_context():
        from app.models import Theme
        theme = db.session.scalar(sa.select(Theme.id))
    reviewer.post_form(f"/debriefs/{d}/learning", {"statement": "Zebulon Secretname's calls were not linked",
                                                   "kind": "improvement", "theme_ids": [str(theme)],
                                                   "entry_ids": [str(eid)], "repeat": "new", "version": "0"})
    with app.app_context():
        from app.models import LearningPoint
        point_id = db.session.scalar(sa.select(LearningPoint.id))
    reviewer.post_form(f"/debriefs/{d}/learning/{point_id}/actions",
                       {f"a{point_id}-what": "Brief Secretname's neighbourhood team", f"a{point_id}-owner_team_id": str(team_id(app, "Zebulon Unit")),
                        f"a{point_id}-due_on": (date.today() + timedelta(days=30)).isoformat(),
                        f"a{point_id}-priority": "high", f"a{point_id}-scope": "team"},
                       token_from=f"/debriefs/{d}/learning")
    reviewer.post_form(f"/debriefs/{d}/document/issue", issue_fields("Brief Zebulon's team"),
                       token_from=f"/debriefs/{d}/document")
    name = f"someone_{role}"
    make_user(name, role)
    if role in ("member", "partner"):
        with app.test_request_context():
            from app.debriefs import services
            from app.models import User
            services.add_participant(db.session.get(Debrief, d),
                                     db.session.scalar(sa.select(User).where(User.username == name)),
                                     db.session.scalar(sa.select(User).where(User.username == "rev")))
    if role == "partner":
        acknowledged_partner(app, d, name)
    login(client, name)
    statuses = {}
    for path in _every_get_page_of(app, d, sid, eid, point_id=point_id, number=1):
        for headers in ({}, HX):
            r = client.get(path, headers=headers, follow_redirects=True)
            # (A calendar file's time zone lists the clock changes of 1980: not a date of birth; nor is an error
            # page's random reference.)
            text = re.sub(r"BEGIN:VTIMEZONE.*?END:VTIMEZONE", "", r.get_data(as_text=True), flags=re.S)
            text = RANDOM_HEX.sub("#", text)
            assert "Zebulon" not in text and "Secretname" not in text and "1980" not in text, (path, headers)
            statuses[path] = r.status_code
    page = client.get(f"/debriefs/{d}").get_data(as_text=True)
    assert "Adult A" in page  # the pseudonym is what they see
    assert statuses[f"/debriefs/{d}"] == 200
    assert statuses[f"/debriefs/{d}/document/1"] == 200 and statuses[f"/debriefs/{d}/learning"] == 200
    r = client.post_form(f"/debriefs/{d}/document/1/download", {"recipient": "Board papers"},
                         token_from=f"/debriefs/{d}/document/1")
    from tests.test_chronology_transfer import _docx_text
    body, headers, footers = _docx_text(r.data)
    assert "Zebulon" not in body + "".join(headers + footers) and "Secretname" not in body
    assert "Adult A" in body
    if role in ("member", "partner"):
        assert statuses[f"/debriefs/{d}/chronology"] == 200
        assert "Adult A rang 999" in client.get(f"/debriefs/{d}/chronology/key-events").get_data(as_text=True)
