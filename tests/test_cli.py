"""Commands force IT runs."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, User
from tests.conftest import login


def test_create_user_reads_the_password_from_stdin(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "firstadmin", "--role", "admin", "--role", "auditor",
                                 "--full-name", "First Admin"], input="kettle river lamp mountain\n")
    assert result.exit_code == 0, result.output
    assert "kettle river lamp mountain" not in result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "firstadmin"))
        assert {r.value for r in user.roles} == {"admin", "auditor"}
        assert user.must_change_password is False
        row = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.operation == "collection"))
        assert row.object_id == str(user.id) and row.reason == "command line" and row.user_id is None
    assert login(client, "firstadmin", "kettle river lamp mountain").headers["Location"] == "/"


def test_create_user_refuses_a_weak_or_missing_password(app):
    runner = app.test_cli_runner()
    for given in ("\n", "password123456\n", "short\n"):
        result = runner.invoke(args=["create-user", "someone", "--role", "admin"], input=given)
        assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "someone")) is None


def test_create_user_refuses_unknown_roles(app):
    result = app.test_cli_runner().invoke(args=["create-user", "x1", "--role", "superuser"], input="kettle river lamp mountain\n")
    assert result.exit_code != 0


def test_partner_needs_a_known_agency(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "pat", "--role", "partner", "--agency", "Nowhere"],
                           input="kettle river lamp mountain\n")
    assert result.exit_code != 0 and "No agency called" in result.output
    result = runner.invoke(args=["create-user", "pat", "--role", "partner", "--agency", "Probation"],
                           input="kettle river lamp mountain\n")
    assert result.exit_code == 0, result.output


def test_seed_demo_creates_every_role_once_and_prints_the_logins(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert first.exit_code == second.exit_code == 0
    for role in ("reviewer", "member", "working_group", "board", "partner", "auditor", "admin"):
        assert role in first.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 8
    from app.demo import DEMO_PASSWORD

    assert DEMO_PASSWORD in first.output
    assert login(client, "admin", DEMO_PASSWORD).status_code == 302
