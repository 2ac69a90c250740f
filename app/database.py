"""Engine settings that must hold on every connection.

SQLite: WAL journal, foreign keys on, a busy timeout and synchronous=FULL on each
new connection, and every transaction opened with BEGIN IMMEDIATE. Deferred
transactions that later write fail at once with "database is locked" when another
worker wrote in between, whatever the busy timeout; IMMEDIATE makes them queue on
the timeout instead. Reads wait behind at most one short write, which is the right
trade for a small team's intranet app; PostgreSQL is the choice for heavier use.
"""
from __future__ import annotations

import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

_installed = False


def init_database(app: Flask) -> None:
    global _installed
    if _installed:
        return
    _installed = True

    @event.listens_for(Engine, "connect")
    def _sqlite_on_connect(dbapi_connection, connection_record):  # noqa: ARG001
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite recipe).
        dbapi_connection.isolation_level = None
        timeout = connection_record.info.get("busy_timeout_ms") or _busy_timeout()
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(timeout)}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.close()

    @event.listens_for(Engine, "begin")
    def _sqlite_begin(conn):
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def _busy_timeout() -> int:
    from flask import current_app, has_app_context

    if has_app_context():
        return int(current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", 10000))
    return 10000


def lock_row(model, key: dict, defaults: dict | None = None):
    """Return the row of `model` with primary key `key`, created if missing, locked until commit.

    Two workers asking at once both end up with the same single row: the insert
    ignores a conflict, and the select takes a row lock (PostgreSQL) inside a
    transaction that on SQLite already began IMMEDIATE.
    """
    from sqlalchemy import select
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    from app.extensions import db

    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(model).values(**key, **(defaults or {})).on_conflict_do_nothing(index_elements=list(key))
    )
    stmt = select(model).filter_by(**key).with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(stmt).one()
