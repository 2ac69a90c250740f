"""Engine settings on every connection."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Agency
from tests.conftest import make_app, run_in_threads


def test_sqlite_connections_use_wal_foreign_keys_busy_timeout_and_full_sync(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    with app.app_context():
        for _ in range(2):  # a second, fresh connection gets the same settings
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == app.config["SQLITE_BUSY_TIMEOUT_MS"]
            db.engine.dispose()


def test_postgresql_engine_pings_before_use(pg_schema_url):
    app = make_app(pg_schema_url)
    with app.app_context():
        assert db.engine.pool._pre_ping is True
        assert db.engine.dialect.driver == "psycopg"
        assert db.session.scalar(sa.text("SELECT 1")) == 1
        db.engine.dispose()


def test_concurrent_writers_wait_instead_of_failing(app):
    """Eight threads each add agencies in their own transactions; none sees 'database is locked'."""
    def work(n: int):
        with app.app_context():
            for i in range(10):
                db.session.add(Agency(name=f"Concurrent {n}-{i}"))
                db.session.commit()
            db.session.remove()

    assert run_in_threads(8, work) == []
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Agency)
                                  .where(Agency.name.like("Concurrent %")))
    assert count == 80
