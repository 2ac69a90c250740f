"""Engine settings that must hold on every connection, and how transactions begin.

SQLite: WAL journal, foreign keys on, a busy timeout and synchronous=FULL on each
new connection.

Transactions on SQLite begin lazily, at their first statement:
- a transaction whose first statement reads begins DEFERRED. It takes no lock: a
  page that only reads never holds the write lock while it queries and renders, and
  any number of readers run beside one writer (WAL);
- a transaction whose first statement writes (INSERT, UPDATE, DELETE, or a SELECT
  ... FOR UPDATE, which SQLite cannot express) begins IMMEDIATE, taking the write
  lock at once and queueing on the busy timeout behind another writer;
- a DEFERRED transaction that has only read and now wants to write is rolled back
  (nothing to lose: it wrote nothing) and begun again IMMEDIATE before the write.
  Upgrading it in place would fail at once with "database is locked" whenever
  another worker had written since its first read, whatever the busy timeout.

So a write never fails early, and no read waits for a write. What a transaction read
before its first write may have changed by the time it writes, exactly as under
PostgreSQL's READ COMMITTED; the same guards protect both databases: version
columns (a stale save is a 409), row locks taken with SELECT ... FOR UPDATE before
reading what a write depends on (reference numbers, pseudonym letters, learning and
action numbers, throttling counters), and unique constraints.
"""
from __future__ import annotations

import re
import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

_installed = False
_READS = re.compile(r"\s*(SELECT|PRAGMA|EXPLAIN|WITH)\b", re.IGNORECASE)


def init_database(app: Flask) -> None:
    global _installed
    if _installed:
        return
    _installed = True

    @event.listens_for(Engine, "connect")
    def _sqlite_on_connect(dbapi_connection, connection_record):  # noqa: ARG001
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        # Let SQLAlchemy's "begin" event decide when and how to BEGIN (pysqlite recipe).
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
            conn.info["sqlite_txn"] = "pending"  # begun by the first statement, below

    @event.listens_for(Engine, "before_cursor_execute")
    def _sqlite_begin_as_needed(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        state = conn.info.get("sqlite_txn")
        if state not in ("pending", "deferred"):
            return
        writes = not _READS.match(statement) or _locks_rows(context)
        if state == "pending":
            cursor.execute("BEGIN IMMEDIATE" if writes else "BEGIN DEFERRED")
            conn.info["sqlite_txn"] = "immediate" if writes else "deferred"
        elif writes:
            cursor.execute("ROLLBACK")  # it only read: begin again, now holding the write lock
            cursor.execute("BEGIN IMMEDIATE")
            conn.info["sqlite_txn"] = "immediate"

    @event.listens_for(Engine, "commit")
    @event.listens_for(Engine, "rollback")
    def _sqlite_end(conn):
        conn.info.pop("sqlite_txn", None)


def _locks_rows(context) -> bool:
    """A SELECT ... FOR UPDATE (SQLite prints no FOR UPDATE, so ask the statement itself)."""
    statement = getattr(getattr(context, "compiled", None), "statement", None)
    return getattr(statement, "_for_update_arg", None) is not None


def _busy_timeout() -> int:
    from flask import current_app, has_app_context

    if has_app_context():
        return int(current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", 10000))
    return 10000


def lock_row(model, key: dict, defaults: dict | None = None):
    """Return the row of `model` with primary key `key`, created if missing, locked until commit.

    Two workers asking at once both end up with the same single row: the insert
    ignores a conflict, and the select takes a row lock (PostgreSQL); on SQLite the
    insert makes the transaction IMMEDIATE, so the select reads under the write lock.
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
