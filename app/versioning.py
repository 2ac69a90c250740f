"""Edits that check the version the user saw, so nobody overwrites a colleague's newer save unknowingly.

Every editable record carries a `version`. The form sends back the version the user
loaded; if the record has moved on since, the service raises StaleEdit with the
current record, and the route answers 409 showing both versions.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from app.extensions import db


class StaleEdit(Exception):
    """The record changed after the user loaded it (`current`: the record now, or None if it was removed)."""

    def __init__(self, current):
        super().__init__("stale")
        self.current = current


def check(record, version: int) -> None:
    if record.version != version:
        raise StaleEdit(record)


def apply_edit(record, create: Callable[[], object], fields: Iterable[str], data: dict,
               version: int) -> tuple[object, list[str]]:
    """Create the record (the user saw none: version 0) or update it; returns it and the changed fields."""
    fields = list(fields)
    if record is None:
        if version != 0:
            raise StaleEdit(None)
        record = create()
        db.session.add(record)
        changed = [k for k in fields if data.get(k) not in (None, "", False)]
    else:
        check(record, version)
        changed = [k for k in fields if getattr(record, k) != data.get(k)]
        if changed:
            record.version += 1
    for k in fields:
        setattr(record, k, data.get(k))
    return record, changed
