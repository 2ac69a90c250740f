"""Disposal: erase a debrief's personal data for good, and keep what the board's trends and the learning need.

Erased: the subjects (names, other names, dates of birth, addresses, phone numbers; their pseudonyms go too),
the chronology's narrative and source references, imported partner files, meeting notes, the occurrence
reference, the referral summary, and the internal (named) versions of issued documents. The title becomes a
neutral one.

Kept, with every name or identifier of the case's subjects replaced by their pseudonym first: learning
points, themes, actions and their notes, the shared documents, terms of reference, decisions, reasons
given for moves, reviews and holds. Dates, stages, categories, flags and agencies stay as they were, so
the dashboard's figures do not move.

Each table's erasure is audit-logged with its column names and how many rows changed, never content.
"""
from __future__ import annotations

import sqlalchemy as sa

from app import audit
from app.disclosure import masker
from app.extensions import db
from app.models import Debrief

ERASE = object()  # the column's value is erased (empty where the column requires a value)

# What goes whatever it says: narrative, references, notes, the named documents.
ERASED = {
    "debrief": ("summary", "occurrence_ref"),
    "chronology_entry": ("summary", "action_taken", "outcome", "significance", "source_ref"),
    "meeting_note": ("expected", "happened", "why_different", "learned"),
    "contribution": ("text",),
    "learning_document": ("internal_html", "internal_docx"),
}
# Rows that are nothing but personal data: deleted whole.
DELETED = ("chronology_import", "subject")
# How a table's rows belong to a debrief.
LINKS = ("debrief_id", "meeting_id", "action_id", "parameters_id", "document_id")


def erase(debrief: Debrief) -> dict[str, int]:
    """Erase and anonymise one debrief's records in the caller's transaction. Returns {"table.column": rows}.

    Every text column of every table linked to the debrief is covered without being listed: what ERASED
    names is emptied, and every other piece of case text has the case's names and identifiers replaced by
    pseudonyms (the same masker the pages use). A column added later is anonymised too."""
    from app.disclosure import case_text_columns, mask_docx

    m = masker()
    debrief_id = debrief.id

    def mask(text):
        return text if not text else m.mask(text, debrief_id)

    counts: dict[str, int] = {}
    for table in db.metadata.sorted_tables:
        if table.name in DELETED:
            continue
        where = _belongs(table, debrief_id)
        if where is None:
            continue
        columns: dict[str, object] = {}
        for column in table.columns:
            if column.name in ERASED.get(table.name, ()):
                columns[column.name] = ERASE
            elif isinstance(column.type, sa.LargeBinary):
                columns[column.name] = lambda data: mask_docx(data, debrief_id) if data else data
        for column in case_text_columns(table):
            if column.name not in columns:
                columns[column.name] = (lambda t: m.mask(t, debrief_id, html=True) if t else t) \
                    if column.name.endswith("_html") else mask
        if columns:
            counts.update(_rewrite(table, where, columns))

    for name in DELETED:
        table = db.metadata.tables[name]
        n = db.session.execute(sa.delete(table).where(table.c.debrief_id == debrief_id)).rowcount
        if n:
            counts[f"{name}.*"] = n
    title = f"Disposed record ({debrief.category.replace('_', ' ')}, {debrief.context.replace('_', ' ')})"
    db.session.execute(sa.update(Debrief).where(Debrief.id == debrief_id)
                       .values(title=title, version=Debrief.version + 1))
    counts["debrief.title"] = 1
    db.session.expire_all()

    by_table: dict[str, list[tuple[str, int]]] = {}
    for key, n in counts.items():
        table, column = key.split(".")
        by_table.setdefault(table, []).append((column, n))
    for table, columns in sorted(by_table.items()):
        columns = [(c if c != "*" else "whole_row", n) for c, n in columns]
        audit.erasure(table, debrief_id, fields=[c for c, _ in columns], action="debrief.dispose",
                      reason="; ".join(f"{c}: {n} row{'s' if n != 1 else ''}" for c, n in columns))
    return counts


def _belongs(table: sa.Table, debrief_id: int):
    """The condition picking this debrief's rows of `table`, or None if the table is not a case's."""
    if table.name == "debrief":
        return table.c.id == debrief_id
    parents = {"meeting_id": "meeting", "action_id": "action", "parameters_id": "parameters",
               "document_id": "learning_document"}
    for link in LINKS:
        if link in table.c:
            if link == "debrief_id":
                return table.c.debrief_id == debrief_id
            parent = db.metadata.tables[parents[link]]
            return table.c[link].in_(sa.select(parent.c.id).where(parent.c.debrief_id == debrief_id))
    return None


def _rewrite(table: sa.Table, where, columns: dict) -> dict[str, int]:
    names = list(columns)
    rows = db.session.execute(sa.select(table.c.id, *[table.c[c] for c in names]).where(where)).all()
    counts: dict[str, int] = {}
    updates = []
    for row in rows:
        new = {}
        for name, old in zip(names, row[1:], strict=True):
            rule = columns[name]
            if rule is ERASE:
                value = _empty(table.c[name]) if old not in (None, "", b"") else old
            else:
                value = rule(old)
            if value != old:
                new[name] = value
                counts[f"{table.name}.{name}"] = counts.get(f"{table.name}.{name}", 0) + 1
        if new:
            updates.append((row[0], new))
    for row_id, new in updates:
        values = dict(new)
        if "version" in table.c:
            values["version"] = table.c.version + 1
        db.session.execute(sa.update(table).where(table.c.id == row_id).values(**values))
    return counts


def _empty(column):
    if column.nullable:
        return None
    return b"" if isinstance(column.type, sa.LargeBinary) else ""
