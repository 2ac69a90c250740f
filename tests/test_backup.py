"""`flask backup` and `flask restore`, on SQLite and PostgreSQL: a backup restores into an empty database with
the same rows and a chain that verifies against the backup's anchor, even when taken under concurrent writes;
a damaged file or a database that is not empty is refused."""
from __future__ import annotations

import json
import logging
import os
import stat
import tarfile
import threading
import time
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from app import audit, audit_chain
from app.admin.services import create_user
from app.backup import libpq
from app.extensions import db
from app.models import AuditEvent
from tests.conftest import PASSWORD, PG_URL, make_app

# ---- helpers ---------------------------------------------------------------------------------------------

def _pg_admin(statement: str) -> None:
    engine = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(statement))
    finally:
        engine.dispose()


@pytest.fixture
def empty_target(tmp_path):
    """Makes an empty database to restore a source app's backup into: a new SQLite file, or a new PostgreSQL
    database holding a new, empty schema with the source's schema name (pg_restore cannot rename a schema).
    Everything made is dropped afterwards."""
    databases, apps = [], []

    def make(source_app):
        url = source_app.config["SQLALCHEMY_DATABASE_URI"]
        if url.startswith("sqlite"):
            target_url = f"sqlite:///{tmp_path / f'restored-{uuid.uuid4().hex[:8]}.sqlite3'}"
        else:
            with source_app.app_context():
                schema = db.session.scalar(sa.text("SELECT current_schema()"))
                db.session.remove()
            name = f"r_{uuid.uuid4().hex[:10]}"
            _pg_admin(f'CREATE DATABASE "{name}"')
            databases.append(name)
            target_url = make_url(url).set(database=name).render_as_string(hide_password=False)
            engine = sa.create_engine(target_url.split("?")[0])
            with engine.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            engine.dispose()
        # The same environment as the source (in production: the same environment file), above all AUDIT_KEY.
        target = make_app(target_url, SECRET_KEY=source_app.config["SECRET_KEY"],
                          AUDIT_KEY=source_app.config["AUDIT_KEY"])
        apps.append(target)
        return target

    yield make
    for target in apps:
        with target.app_context():
            db.session.remove()
            db.engine.dispose()
    for name in databases:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _backup(app, directory) -> tuple[str, dict]:
    result = app.test_cli_runner().invoke(args=["backup", "--to", str(directory)])
    assert result.exit_code == 0, result.output
    path = result.output.split("Backup written: ", 1)[1].splitlines()[0].strip()
    return path, _manifest(path)


def _manifest(path) -> dict:
    with tarfile.open(path) as tar:
        return json.load(tar.extractfile("manifest.json"))


def _restore(app, path, *extra):
    return app.test_cli_runner().invoke(args=["restore", str(path), *extra])


def _count(app, model=AuditEvent) -> int:
    with app.app_context():
        n = db.session.scalar(sa.select(sa.func.count()).select_from(model))
        db.session.remove()
        return n


def _contents(app, audit_upto: int) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order; the audit log up to a position."""
    with app.app_context():
        out = {}
        for table in db.metadata.sorted_tables:
            if table.name == "audit_chain":
                continue  # the head moves with each write; checked against the anchor instead
            stmt = sa.select(table).order_by(*(table.primary_key.columns or table.columns))
            if table.name == "audit_event":
                stmt = stmt.where(table.c.seq <= audit_upto)
            out[table.name] = [tuple(row) for row in db.session.execute(stmt)]
        db.session.remove()
        return out


def _is_empty(app) -> bool:
    with app.app_context():
        empty = sa.inspect(db.engine).get_table_names() == []
        db.engine.dispose()
        return empty


def _verify(app, anchor: str):
    with app.app_context():
        verdict = audit_chain.verify([audit_chain.parse_anchor(anchor)])
        db.session.remove()
        return verdict


def _write_audit(app, n: int) -> None:
    with app.test_request_context():
        for _ in range(n):
            audit.security("login.failure")
            db.session.commit()


# ---- tests -----------------------------------------------------------------------------------------------

def test_backup_then_restore_into_an_empty_database_gives_the_same_rows_and_a_verifying_chain(
        app, make_user, make_debrief, empty_target, tmp_path, caplog):
    make_user("alice", "reviewer")
    make_debrief("chronology")
    _write_audit(app, 3)
    directory = tmp_path / "backups"

    with caplog.at_level(logging.INFO, logger="hpd.audit"):
        path, manifest = _backup(app, directory)

    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert os.path.basename(path).startswith("hpd-backup-") and path.endswith(".tar")
    assert os.listdir(directory) == [os.path.basename(path)]  # nothing left behind but the one file
    kind = "sqlite" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "postgresql"
    assert manifest["database"] == kind and manifest["format_version"] == 1
    assert manifest["created_at"].endswith("+00:00")
    anchor = manifest["audit_anchor"]
    seq = audit_chain.parse_anchor(anchor)[0]
    assert seq == manifest["row_counts"]["audit_event"] > 3
    assert manifest["row_counts"]["user_account"] == 2  # alice and the debrief builder
    assert anchor in caplog.text  # logged outside the database too
    with app.app_context():
        last = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (last.operation, last.action, last.object_type) == ("security", "backup.create", None)
        assert last.seq == seq + 1 and anchor in last.reason
        db.session.remove()

    target = empty_target(app)
    result = _restore(target, path, "--yes")
    assert result.exit_code == 0, result.output
    assert "Checksum matches the manifest." in result.output
    assert f"Intact, and it ends at the backup's anchor {anchor}." in result.output
    assert "Row counts match the manifest" in result.output

    assert _contents(target, seq) == _contents(app, seq)
    verdict = _verify(target, anchor)
    assert verdict.intact and verdict.rows == seq and verdict.anchor == anchor, verdict.problems
    # The restored app carries on writing the same chain.
    _write_audit(target, 1)
    assert _verify(target, anchor).intact


def test_a_damaged_archive_is_refused_before_anything_is_restored(app, empty_target, tmp_path):
    _write_audit(app, 2)
    path, manifest = _backup(app, tmp_path)
    with tarfile.open(path) as tar:
        member = tar.getmember(manifest["database_file"])
        at = member.offset_data + member.size // 2
    with open(path, "r+b") as f:
        f.seek(at)
        byte = f.read(1)
        f.seek(at)
        f.write(bytes([byte[0] ^ 0x01]))

    target = empty_target(app)
    result = _restore(target, path, "--yes")
    assert result.exit_code == 1
    assert "does not match the checksum in its manifest" in result.output
    assert _is_empty(target)


def test_restore_refuses_a_database_that_is_not_empty_and_asks_first(app, empty_target, tmp_path):
    _write_audit(app, 2)
    path, manifest = _backup(app, tmp_path)
    before = _count(app)

    result = _restore(app, path, "--yes")
    assert result.exit_code == 1
    assert "The database is not empty" in result.output and "nothing was changed" in result.output
    assert _count(app) == before

    target = empty_target(app)
    result = target.test_cli_runner().invoke(args=["restore", path], input="n\n")
    assert result.exit_code == 1 and "Restore it into" in result.output
    assert _is_empty(target)


def test_a_backup_taken_during_concurrent_writes_restores_and_verifies(app, empty_target, tmp_path):
    """The row counts match what was acknowledged before the backup began."""
    baseline = _count(app)
    stop = threading.Event()
    lock = threading.Lock()
    acknowledged = [0]
    errors: list[BaseException] = []

    def writer():
        try:
            while not stop.is_set():
                with app.test_request_context():
                    audit.security("logout")
                    db.session.commit()
                with lock:
                    acknowledged[0] += 1
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            errors.append(exc)

    def wait_for(n: int) -> None:
        deadline = time.monotonic() + 20
        while acknowledged[0] < n and not errors and time.monotonic() < deadline:
            time.sleep(0.01)

    threads = [threading.Thread(target=writer) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        wait_for(30)
        with lock:
            before_backup = baseline + acknowledged[0]
        path, manifest = _backup(app, tmp_path)
        wait_for(acknowledged[0] + 30)  # they keep writing after the snapshot
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors
    final = _count(app)

    target = empty_target(app)
    result = _restore(target, path, "--yes")
    assert result.exit_code == 0, result.output
    restored = _count(target)
    assert restored >= before_backup
    assert restored == manifest["row_counts"]["audit_event"] < final
    verdict = _verify(target, manifest["audit_anchor"])
    assert verdict.intact and verdict.rows == restored, verdict.problems


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_app(request, tmp_path):
    """An app whose database was built by the migrations (schema revision, triggers), in a new SQLite file or a
    new PostgreSQL schema."""
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    else:
        request.getfixturevalue("pg_schema_url")  # skips, or fails under CI, without PostgreSQL
        schema = f"b_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE SCHEMA "{schema}"')
        url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    application = make_app(url)
    with application.app_context():
        upgrade()
        create_user(username="carol", full_name="Carol Reviewer", email=None, roles=["reviewer"],
                    password=PASSWORD, agency_id=None, must_change_password=False)
        db.session.remove()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if schema:
        _pg_admin(f'DROP SCHEMA "{schema}" CASCADE')


def test_a_migrated_database_keeps_its_revision_and_its_append_only_log(migrated_app, empty_target, tmp_path):
    from app.backup import code_revision

    with migrated_app.app_context():
        head = code_revision()
    path, manifest = _backup(migrated_app, tmp_path)
    assert head and manifest["alembic_revision"] == head

    target = empty_target(migrated_app)
    result = _restore(target, path, "--yes")
    assert result.exit_code == 0, result.output
    assert _verify(target, manifest["audit_anchor"]).intact
    with target.app_context():
        assert db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) == head
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.text("UPDATE audit_event SET action = 'changed'"))
            db.session.commit()
        db.session.rollback()
        db.session.remove()


def test_the_postgresql_password_travels_in_the_environment_not_the_command_line():
    conninfo, env = libpq("postgresql+psycopg://hpd_app:s3cr%27t%20pw@db.example:5433/hpd"
                          "?options=-csearch_path%3Dcases&sslmode=require")
    assert conninfo == ("host='db.example' port='5433' dbname='hpd' user='hpd_app' "
                        "options='-csearch_path=cases' sslmode='require'")
    assert "s3cr" not in conninfo
    assert env["PGPASSWORD"] == "s3cr't pw"
