"""Cross-case person search: every debrief, subject record and chronology entry that concerns a person.

For the review team's "has this victim or suspect appeared before?" and for a data subject's access request.
Names are compared as the masker compares them (case, accents and compatibility forms folded, so "Weiß"
finds "WEISS" and "Zoe" finds "Zoë"), word by word: every word typed must begin a word of the person's name
or one of their other names. Records already disposed of are not found: their people were erased.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Debrief, Subject
from app.models.chronology import chronology_subject
from app.names.folding import tokens


@dataclass
class Found:
    subject: Subject
    debrief: Debrief
    entries: int
    matched_on: str  # "name", "other name" or "date of birth"


def search(name: str, date_of_birth: date | None, limit: int = 200) -> tuple[list[Found], int]:
    """People matching the name (every word) and, if given, the date of birth. Returns (found, total)."""
    wanted = tokens(name)
    stmt = sa.select(Subject.id, Subject.real_name, Subject.aliases, Subject.date_of_birth)
    if date_of_birth is not None:
        stmt = stmt.where(Subject.date_of_birth == date_of_birth)
    matched: dict[int, str] = {}
    for subject_id, real_name, aliases, dob in db.session.execute(stmt):
        if not wanted:
            matched[subject_id] = "date of birth"
            continue
        if _matches(wanted, tokens(real_name)):
            matched[subject_id] = "name"
        elif any(_matches(wanted, tokens(alias)) for alias in (aliases or "").splitlines() if alias.strip()):
            matched[subject_id] = "other name"
    ids = list(matched)[:limit]
    entries = dict(db.session.execute(
        sa.select(chronology_subject.c.subject_id, sa.func.count())
        .where(chronology_subject.c.subject_id.in_(ids)).group_by(chronology_subject.c.subject_id)).all())
    rows = db.session.execute(sa.select(Subject, Debrief).join(Debrief, Debrief.id == Subject.debrief_id)
                              .where(Subject.id.in_(ids))
                              .order_by(Debrief.incident_date.desc(), Subject.pseudonym_index)).all()
    return [Found(s, d, entries.get(s.id, 0), matched[s.id]) for s, d in rows], len(matched)


def _matches(wanted: tuple[str, ...], words: tuple[str, ...]) -> bool:
    return all(any(w.startswith(t) for w in words) for t in wanted)
