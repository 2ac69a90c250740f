"""A disposed debrief is closed: nothing can be added to it or changed in it, by any route.

After disposal the case's subjects are gone, so the disclosure gate no longer knows their names: a name typed
into a new chronology entry, note or learning point would reach partners unmasked. One check at flush time
therefore refuses any new, changed or deleted row that belongs to a disposed debrief, whichever form or
service wrote it and whatever table a later feature adds, as long as the row links to the debrief the way
every case table does (a `debrief_id`, or a link to a row that has one). Only the records-management rows
themselves (retention, reviews, holds, disposal), who takes part, and the audit log may still change.
"""
from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.orm.interfaces import MANYTOONE

from app.models import Debrief, Retention

# Rows that may still change once the debrief is disposed of.
OPEN_AFTER_DISPOSAL = frozenset({"retention", "retention_review", "legal_hold", "disposal", "debrief_participant",
                                 "audit_event", "audit_chain"})
_MAX_DEPTH = 4
NOT_A_CASE = frozenset({"user_account", "agency", "team", "theme", "retention_category"})


class Closed(Exception):
    """A write reached a disposed debrief."""

    def __init__(self, reference: str, disposed_on: str):
        super().__init__(f"{reference}: its personal data was disposed of on {disposed_on}, so the record is "
                         "closed. Nothing can be added to it or changed in it.")


def debrief_of(obj, depth: int = 0) -> int | None:
    """The id of the debrief a mapped object belongs to, following its foreign keys (or, before a flush has
    filled them in, the objects its relationships hold), or None."""
    if isinstance(obj, Debrief):
        return obj.id
    state = sa.inspect(obj)
    if depth > _MAX_DEPTH or state.mapper.local_table.name in OPEN_AFTER_DISPOSAL:
        return None
    mapper = state.mapper
    for column in mapper.local_table.columns:
        target = next((fk.column.table for fk in column.foreign_keys), None)
        if target is None or target.name in NOT_A_CASE:
            continue
        value = state.attrs[mapper.get_property_by_column(column).key].loaded_value
        if value is NO_VALUE or value is None:
            continue
        if target is Debrief.__table__:
            return value
        parent = _mapped(target)
        found = debrief_of(state.session.get(parent, value), depth + 1) if parent is not None else None
        if found is not None:
            return found
    for rel in mapper.relationships:
        related = state.attrs[rel.key].loaded_value
        if rel.direction is MANYTOONE and related is not NO_VALUE and related is not None \
                and rel.mapper.local_table.name not in NOT_A_CASE:
            found = debrief_of(related, depth + 1)
            if found is not None:
                return found
    return None


@lru_cache(maxsize=None)
def _mapped(table: sa.Table):
    """The class mapped to `table` (the mappings never change once the app is built)."""
    return next((m.class_ for m in Debrief.registry.mappers if m.local_table is table), None)


def _touched(session: Session) -> set[int]:
    ids: set[int] = set()
    for obj in list(session.new) + list(session.deleted) + [o for o in session.dirty if session.is_modified(o)]:
        if sa.inspect(obj).mapper.local_table.name in OPEN_AFTER_DISPOSAL:
            continue
        found = debrief_of(obj)
        if found is not None:
            ids.add(found)
    return ids


def install(app: Flask) -> None:
    from app.errors import render_error

    if not getattr(install, "_listening", False):
        install._listening = True

        @event.listens_for(Session, "before_flush")
        def _refuse_writes_to_disposed(session, flush_context, instances):
            ids = _touched(session)
            if not ids:
                return
            row = session.execute(
                sa.select(Debrief.reference, Retention.disposed_at).join(Retention, Retention.debrief_id == Debrief.id)
                .where(Debrief.id.in_(ids), Retention.disposed_at.is_not(None)).limit(1)).first()
            if row is not None:
                raise Closed(row.reference, row.disposed_at.astimezone(ZoneInfo("Europe/London")).strftime("%d %b %Y"))

    @app.errorhandler(Closed)
    def _closed(exc: Closed):
        from app.extensions import db

        db.session.rollback()
        return render_error(409, str(exc))
