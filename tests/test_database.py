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


def test_a_page_being_rendered_does_not_block_a_write_on_sqlite(tmp_path):
    """One worker renders the board slowly (its reads done, its transaction open); another writes meanwhile.
    The write completes at once instead of waiting for the render to finish."""
    import threading
    import time

    from flask import template_rendered

    from app.admin.services import create_user
    from tests.conftest import PASSWORD, BrowserLikeClient, login, reset_database

    app = make_app(f"sqlite:///{tmp_path / 'render.sqlite3'}", SQLITE_BUSY_TIMEOUT_MS=8000)
    reset_database(app)
    with app.app_context():
        create_user(username="rev", full_name="Rev", email=None, roles=["reviewer"], password=PASSWORD,
                    must_change_password=False)
        db.session.remove()
    app.test_client_class = BrowserLikeClient
    reader = app.test_client()
    login(reader, "rev")
    rendering, release = threading.Event(), threading.Event()

    def slow_render(sender, template, context, **extra):
        if template.name == "debriefs/board.html":
            rendering.set()
            release.wait(8)

    template_rendered.connect(slow_render, app)
    statuses = []
    thread = threading.Thread(target=lambda: statuses.append(reader.get("/board").status_code))
    thread.start()
    try:
        assert rendering.wait(8), "the board did not start rendering"
        start = time.perf_counter()
        with app.app_context():
            db.session.add(Agency(name="Written while the board renders"))
            db.session.commit()
            db.session.remove()
        waited = time.perf_counter() - start
    finally:
        release.set()
        thread.join()
        template_rendered.disconnect(slow_render, app)
    assert statuses == [200]
    assert waited < 1.0, f"the write waited {waited:.1f} s behind a read"
    with app.app_context():
        db.engine.dispose()
