"""Migrations from empty to head and back, on SQLite and PostgreSQL, with no drift from the models."""
from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db
from app.reference import STARTING_AGENCIES
from tests.conftest import PG_URL, make_app


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
        return
    request.getfixturevalue("pg_schema_url")  # skips or fails with the reason when PostgreSQL is missing
    schema = f"m_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def _drift(app) -> list:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, db.metadata)


def _tables(app) -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_empty_to_head_to_base_and_back(empty_database_url):
    app = make_app(empty_database_url)
    with app.app_context():
        assert _tables(app) == set()
        upgrade()
        assert {"user_account", "user_role", "user_session", "audit_event", "agency", "login_throttle",
                "alembic_version"} <= _tables(app)
        assert _drift(app) == []
        names = db.session.scalars(sa.text("SELECT name FROM agency ORDER BY id")).all()
        assert names == STARTING_AGENCIES
        db.session.remove()

        downgrade(revision="base")
        assert _tables(app) <= {"alembic_version"}
        upgrade()
        assert _drift(app) == []
        db.engine.dispose()


def test_migrated_schema_enforces_append_only_audit_and_foreign_keys(empty_database_url):
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade()
        db.session.execute(sa.text(
            "INSERT INTO audit_event (occurred_at, operation, action) VALUES (CURRENT_TIMESTAMP, 'security', 'x')"))
        db.session.commit()
        for stmt in ("UPDATE audit_event SET action = 'y'", "DELETE FROM audit_event"):
            with pytest.raises(sa.exc.DatabaseError):
                db.session.execute(sa.text(stmt))
                db.session.commit()
            db.session.rollback()
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.text("INSERT INTO user_role (user_id, role) VALUES (424242, 'member')"))
            db.session.commit()
        db.session.rollback()
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.text(
                "INSERT INTO audit_event (occurred_at, operation, action) VALUES (CURRENT_TIMESTAMP, 'gossip', 'x')"))
            db.session.commit()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def test_pg_url_shape_is_psycopg3():
    from app.config import database_url

    assert database_url("postgresql://u@h/db", "/x").startswith("postgresql+psycopg://")
    assert database_url("postgres://u@h/db", "/x").startswith("postgresql+psycopg://")
    assert database_url(None, "/srv/app/instance") == "sqlite:////srv/app/instance/hpd.sqlite3"


def test_the_upgrade_chains_the_audit_rows_already_written(empty_database_url):
    from app import audit_chain

    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="0013")
        for action in ("login.success", "debrief.view", "logout"):
            db.session.execute(sa.text(
                "INSERT INTO audit_event (occurred_at, operation, action, reason) "
                "VALUES (CURRENT_TIMESTAMP, 'security', :action, 'before the chain')"), {"action": action})
        db.session.commit()
        upgrade()
        rows = db.session.execute(sa.text("SELECT seq, action FROM audit_event ORDER BY id")).all()
        assert rows == [(1, "login.success"), (2, "debrief.view"), (3, "logout")]
        verdict = audit_chain.verify()
        assert verdict.intact and verdict.rows == 3 and verdict.head_seq == 3, verdict.problems
        # The triggers are back: the rows cannot be changed now.
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.text("UPDATE audit_event SET action = 'y'"))
            db.session.commit()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
