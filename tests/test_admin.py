"""Account administration: validation, conflicts and the rules that keep admins from locking themselves out."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, User
from tests.conftest import PASSWORD, login

NEW = {"username": "dave", "full_name": "Dave Example", "email": "dave@example.org", "roles": ["member"],
       "agency_id": "0", "new_password": "a long enough passphrase", "confirm": "a long enough passphrase"}


def count_users(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_admin_creates_a_user_who_must_change_the_temporary_password(app, client, new_client, signed_in):
    signed_in("admin")
    r = client.post_form("/admin/users/new", NEW)
    assert r.status_code == 302
    dave = new_client()
    assert login(dave, "dave", NEW["new_password"]).headers["Location"] == "/account/password"


def test_invalid_new_user_gets_422_errors_beside_fields_and_nothing_saved(app, client, signed_in):
    signed_in("admin")
    before = count_users(app)
    bad = dict(NEW, username="Bad Name!", full_name="", email="not-an-email", roles=[],
               new_password="short", confirm="different")
    r = client.post_form("/admin/users/new", bad)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    for field_id, message in [("username", "lower-case letters"), ("full_name", "Enter the person&#39;s name."),
                              ("email", "Enter an email address"), ("roles", "Choose at least one role."),
                              ("new_password", "at least 12"), ("confirm", "do not match")]:
        assert f'id="{field_id}-error"' in html, field_id
        assert message in html, message
    assert 'value="Bad Name!"' in html  # what the admin typed is kept
    assert count_users(app) == before


def test_partner_needs_an_agency(app, client, signed_in):
    signed_in("admin")
    r = client.post_form("/admin/users/new", dict(NEW, roles=["partner"]))
    assert r.status_code == 422
    assert "Partner agency staff must belong to an agency." in r.get_data(as_text=True)


def test_duplicate_username_refused(app, client, signed_in, make_user):
    make_user("dave", "member")
    signed_in("admin")
    r = client.post_form("/admin/users/new", dict(NEW, username="dave"))
    assert r.status_code == 422
    assert "That username is already in use." in r.get_data(as_text=True)


def _edit(client, user_id, version, **fields):
    data = {"full_name": "Dave Example", "email": "", "roles": ["member"], "agency_id": "0",
            "version": str(version)}
    data.update(fields)
    return client.post_form(f"/admin/users/{user_id}", data, token_from=f"/admin/users/{user_id}")


def test_stale_edit_gets_409_with_both_versions_and_keeps_the_text(app, client, new_client, signed_in,
                                                                   make_user):
    dave = make_user("dave", "member", full_name="Dave Example")
    signed_in("admin", username="first")
    second = new_client()
    make_user("second", "admin")
    login(second, "second")
    assert _edit(client, dave, 1, full_name="David Example").status_code == 302
    r = _edit(second, dave, 1, full_name="Dave Q. Example")
    html = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "Someone else saved this account while you were editing" in html
    assert "David Example" in html  # what is stored now
    assert 'value="Dave Q. Example"' in html  # what this admin typed, still in the form
    with app.app_context():
        assert db.session.get(User, dave).full_name == "David Example"
    # Saving again from the conflict page overwrites knowingly.
    assert _edit(second, dave, 2, full_name="Dave Q. Example").status_code == 302
    with app.app_context():
        assert db.session.get(User, dave).full_name == "Dave Q. Example"


def test_role_change_applies_at_once_and_ends_that_users_sessions(app, client, new_client, signed_in,
                                                                  make_user):
    dave = make_user("dave", "auditor")
    d = new_client()
    login(d, "dave")
    assert d.get("/audit/").status_code == 200
    signed_in("admin")
    assert _edit(client, dave, 1, roles=["member"]).status_code == 302
    assert d.get("/audit/").status_code == 302  # signed out; a new sign-in gets the new roles
    login(d, "dave")
    assert d.get("/audit/").status_code == 403


def test_admin_cannot_disable_themselves_or_remove_their_own_admin_role(app, client, signed_in):
    signed_in("admin", username="boss")
    with app.app_context():
        boss = db.session.scalar(sa.select(User).where(User.username == "boss"))
        boss_id, version = boss.id, boss.version
    r = client.post_form(f"/admin/users/{boss_id}/disable", token_from=f"/admin/users/{boss_id}",
                         follow_redirects=True)
    assert "You cannot disable your own account." in r.get_data(as_text=True)
    r = _edit(client, boss_id, version, roles=["member"])
    assert r.status_code == 422 and "You cannot remove your own administrator role." in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, boss_id).active


def test_reset_password_ends_sessions_and_forces_a_change(app, client, new_client, signed_in, make_user):
    dave = make_user("dave", "member")
    d = new_client()
    login(d, "dave")
    signed_in("admin")
    temp = "temporary phrase for him"
    r = client.post_form(f"/admin/users/{dave}/password", {"new_password": temp, "confirm": temp})
    assert r.status_code == 302
    assert d.get("/").status_code == 302
    assert login(new_client(), "dave", PASSWORD).status_code == 401
    assert login(new_client(), "dave", temp).headers["Location"] == "/account/password"


def test_admin_can_end_all_sessions_of_a_user(app, client, new_client, signed_in, make_user):
    dave = make_user("dave", "member")
    d = new_client()
    login(d, "dave")
    signed_in("admin")
    r = client.post_form(f"/admin/users/{dave}/sessions/revoke", token_from=f"/admin/users/{dave}")
    assert r.status_code == 302
    assert d.get("/").status_code == 302


def test_disabled_user_can_be_enabled_again(app, client, new_client, signed_in, make_user):
    dave = make_user("dave", "member")
    signed_in("admin")
    client.post_form(f"/admin/users/{dave}/disable", token_from=f"/admin/users/{dave}")
    assert login(new_client(), "dave").status_code == 401
    client.post_form(f"/admin/users/{dave}/enable", token_from=f"/admin/users/{dave}")
    assert login(new_client(), "dave").status_code == 302
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_id == str(dave))).all()
    assert "user.disable" in actions and "user.enable" in actions


def test_unknown_user_id_answers_404(client, signed_in):
    signed_in("admin")
    assert client.get("/admin/users/99999").status_code == 404


def test_user_list_filters_round_trip_through_the_url(client, signed_in, make_user):
    make_user("erin", "board", full_name="Erin Boardmember")
    make_user("frank", "partner", full_name="Frank Partner")
    signed_in("admin")
    html = client.get("/admin/users?role=partner").get_data(as_text=True)
    assert "Frank Partner" in html and "Erin Boardmember" not in html
    assert '<option selected value="partner">' in html or 'value="partner" selected' in html
    html = client.get("/admin/users?q=erin").get_data(as_text=True)
    assert "Erin Boardmember" in html and "Frank Partner" not in html


def test_admin_manages_the_agency_list(app, client, signed_in):
    from app.models import Agency

    signed_in("admin")
    html = client.get("/admin/agencies").get_data(as_text=True)
    for name in ("Police", "Children&#39;s Social Care", "Domestic abuse service / IDVA", "Education"):
        assert name in html
    assert client.post_form("/admin/agencies", {"name": "Youth Justice Service"}).status_code == 302
    dup = client.post_form("/admin/agencies", {"name": "youth justice service"})
    assert dup.status_code == 422 and "There is already an agency with that name." in dup.get_data(as_text=True)
    empty = client.post_form("/admin/agencies", {"name": ""})
    assert empty.status_code == 422 and 'id="name-error"' in empty.get_data(as_text=True)
    with app.app_context():
        yjs = db.session.scalar(sa.select(Agency).where(Agency.name == "Youth Justice Service"))
        assert yjs.active
    r = client.post_form(f"/admin/agencies/{yjs.id}", {"name": "Youth Justice Service (YJS)"},
                         token_from="/admin/agencies")
    assert r.status_code == 302
    with app.app_context():
        yjs = db.session.get(Agency, yjs.id)
        assert yjs.name == "Youth Justice Service (YJS)" and not yjs.active
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "agency")).all()
    assert actions == ["agency.create", "agency.update"]
    # A switched-off agency is no longer offered for new partner accounts.
    assert ">Youth Justice Service (YJS)</option>" not in client.get("/admin/users/new").get_data(as_text=True)


def test_only_admins_manage_agencies(client, signed_in):
    signed_in("reviewer", "auditor")
    assert client.get("/admin/agencies").status_code == 403
    assert client.post_form("/admin/agencies", {"name": "X"}, token_from="/").status_code == 403


def test_admin_manages_the_theme_list(app, client, signed_in):
    from app.models import Theme

    signed_in("admin")
    html = client.get("/admin/themes").get_data(as_text=True)
    assert "Coercive control" in html and "Good practice to embed" in html
    assert client.post_form("/admin/themes", {"name": "Cuckooing"}).status_code == 302
    dup = client.post_form("/admin/themes", {"name": "cuckooing"})
    assert dup.status_code == 422 and "There is already a theme with that name." in dup.get_data(as_text=True)
    with app.app_context():
        theme = db.session.scalar(sa.select(Theme).where(Theme.name == "Cuckooing"))
    client.post_form(f"/admin/themes/{theme.id}", {"name": "Cuckooing and exploitation"}, token_from="/admin/themes")
    with app.app_context():
        theme = db.session.get(Theme, theme.id)
        assert theme.name == "Cuckooing and exploitation" and not theme.active


def test_admin_marks_which_agencies_are_police(app, client, signed_in):
    from app.models import Agency

    signed_in("admin")
    with app.app_context():
        police = db.session.scalar(sa.select(Agency).where(Agency.name == "Police"))
        bt = db.session.scalar(sa.select(Agency).where(Agency.name == "Other"))
        assert police.is_police and not bt.is_police
    html = client.get("/admin/agencies").get_data(as_text=True)
    assert f'id="agency-police-{police.id}" name="is_police" value="1" form="agency-{police.id}" checked' in html
    r = client.post_form(f"/admin/agencies/{bt.id}", {"name": "British Transport Police", "active": "1",
                                                      "is_police": "1"}, token_from="/admin/agencies")
    assert r.status_code == 302
    with app.app_context():
        bt = db.session.get(Agency, bt.id)
        assert bt.is_police and bt.active
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "agency")
                                   .order_by(AuditEvent.id.desc())).first()
        assert "is_police" in event.fields
