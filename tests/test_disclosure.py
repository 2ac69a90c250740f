"""View as, the "will show as" hint, who can own an action, and the gate's own rules."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Debrief, SubjectRole
from tests.conftest import login


def _with_subject(app, make_debrief, **kw) -> int:
    from app.scoping.services import add_subject

    d = make_debrief("scoping", **kw)
    with app.test_request_context():
        add_subject(db.session.get(Debrief, d), role=SubjectRole.SUSPECT, real_name="Liam Barrett",
                    date_of_birth=None, aliases="Lee")
    return d


def test_a_reviewer_views_the_debrief_as_a_partner_sees_it_and_it_is_logged(app, client, signed_in, make_debrief):
    d = _with_subject(app, make_debrief, summary="Liam Barrett was seen")
    signed_in("reviewer", username="rev")
    own = client.get(f"/debriefs/{d}").get_data(as_text=True)
    assert "Liam Barrett" in own and "View as" in own
    shown = client.get(f"/debriefs/{d}?view_as=partner").get_data(as_text=True)
    assert "You are seeing this page as a partner sees it" in shown
    assert "Liam Barrett" not in shown and "Adult A" in shown
    assert f"/debriefs/{d}/edit" not in shown  # no edit controls in the preview
    with app.app_context():
        reasons = db.session.scalars(sa.select(AuditEvent.reason).where(AuditEvent.action == "debrief.view")).all()
    assert "viewed as partner" in reasons and None in reasons


def test_view_as_never_widens_and_is_ignored_for_everyone_else(app, client, new_client, signed_in, make_user,
                                                               make_debrief):
    d = _with_subject(app, make_debrief, summary="Liam Barrett was seen")
    signed_in("reviewer", username="rev")
    closed = client.get(f"/debriefs/{d}/chronology?view_as=board").get_data(as_text=True)
    assert "The board cannot open this page" in closed
    make_user("brd", "board")
    b = new_client()
    login(b, "brd")
    page = b.get(f"/debriefs/{d}?view_as=board").get_data(as_text=True)
    assert "You are seeing this page as" not in page and "Liam Barrett" not in page
    assert b.get(f"/debriefs/{d}/chronology?view_as=partner").status_code == 403


def test_a_reviewer_is_told_beside_the_field_which_names_others_will_not_see(app, client, signed_in,
                                                                            make_debrief):
    d = _with_subject(app, make_debrief)
    signed_in("reviewer", username="rev")
    r = client.post_form(f"/debriefs/{d}/names-check?field=key_questions",
                         {"key_questions": "Was the risk from Lee and Mr Barrett known?"}, token_from=f"/debriefs/{d}")
    text = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "“Lee” will show as Adult A" in text and "“Barrett” will show as Adult A" in text
    form = client.get(f"/debriefs/{d}/parameters/edit", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f'hx-post="/debriefs/{d}/names-check?field=key_questions"' in form
    assert "names-check?field=real_name" not in client.get(f"/debriefs/{d}").get_data(as_text=True)


def test_only_reviewers_may_ask_which_names_a_text_holds(app, client, signed_in, make_debrief):
    d = _with_subject(app, make_debrief)
    signed_in("working_group", username="wg")
    r = client.post_form(f"/debriefs/{d}/names-check?field=x", {"x": "Liam Barrett"}, token_from="/")
    assert r.status_code == 403 and "Barrett" not in r.get_data(as_text=True)


def test_administrators_and_auditors_are_not_offered_as_action_owners(app, make_user):
    from app.actions.services import possible_owners

    make_user("adm", "admin", full_name="Ada Admin")
    make_user("aud", "auditor", full_name="Otto Auditor")
    make_user("mem", "member", full_name="Mo Member")
    make_user("both", "admin", "reviewer", full_name="Bea Both")
    with app.app_context():
        names = {u.full_name for u in possible_owners()}
    assert "Mo Member" in names and "Bea Both" in names
    assert "Ada Admin" not in names and "Otto Auditor" not in names


def test_a_failing_gate_withholds_the_page_rather_than_send_it_unmasked(app, client, signed_in, make_debrief,
                                                                       monkeypatch):
    d = _with_subject(app, make_debrief, summary="Liam Barrett was seen")
    signed_in("board", username="brd")

    def broken(*args, **kwargs):
        raise RuntimeError("masker unavailable")

    monkeypatch.setattr("app.disclosure.masker", broken)
    r = client.get(f"/debriefs/{d}")
    assert r.status_code == 500 and "Barrett" not in r.get_data(as_text=True)


def test_the_masker_is_rebuilt_when_the_tables_are_emptied_and_refilled(app, make_debrief):
    """A restore or a reset can leave the same counts, ids and versions with other people in them."""
    from app import disclosure
    from app.scoping.services import add_subject

    def case_with(name: str) -> None:
        d_id = make_debrief("scoping")
        with app.test_request_context():
            add_subject(db.session.get(Debrief, d_id), role=SubjectRole.VICTIM, real_name=name, date_of_birth=None)

    case_with("Quentin Alpharo")
    with app.test_request_context():
        assert "Quentin" not in disclosure.masker().mask("Quentin Alpharo rang", None)
        db.session.execute(sa.delete(Debrief))
        db.session.commit()
    case_with("Rosalind Betancourt")  # the same ids, counts and versions as before
    with app.test_request_context():
        masked = disclosure.masker().mask("Rosalind Betancourt rang", None)
    assert "Rosalind" not in masked and "Betancourt" not in masked
