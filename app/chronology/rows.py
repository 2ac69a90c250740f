"""The chronology read as rows of columns, for pages and exports that show every entry at once.

A 2,000-entry chronology loaded as ORM objects builds an identity map, relationship collections and
change tracking for each entry and its people, none of which a read-only table needs. Here each entry is
one plain row from one query; the people come from the debrief's own (already loaded) subjects by id, and
the learning labels from one more query, so a page costs three queries whatever its length.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select

from app.extensions import db
from app.models import FLAGS, Agency, ChronologyEntry, LearningPoint, Subject, chronological_order
from app.models.chronology import chronology_subject
from app.models.learning import learning_evidence


@dataclass(frozen=True, slots=True)
class AgencyName:
    name: str


@dataclass(frozen=True, slots=True)
class LearningLabel:
    id: int
    label: str


@dataclass(slots=True)
class EntryRow:
    """What a table, print view or export shows of one entry; the same attribute names as the model."""

    id: int
    entry_date: date
    entry_time: time | None
    date_precision: str
    agency: AgencyName
    source_system: str | None
    source_ref: str | None
    contact_type: str
    summary: str
    action_taken: str | None
    risk_assessment: str | None
    outcome: str | None
    significance: str | None
    missed_opportunity: bool
    good_practice: bool
    key_issue: bool
    turning_point: bool
    verified: bool
    subjects: list[Subject]
    learning_points: list[LearningLabel]

    @property
    def flags(self) -> list[tuple[str, str]]:
        return [(k, label) for k, label in FLAGS.items() if getattr(self, k)]


_C = ChronologyEntry
_COLUMNS = (_C.id, _C.entry_date, _C.entry_time, _C.date_precision, Agency.name, _C.source_system,
            _C.source_ref, _C.contact_type, _C.summary, _C.action_taken, _C.risk_assessment, _C.outcome,
            _C.significance, _C.missed_opportunity, _C.good_practice, _C.key_issue, _C.turning_point,
            _C.verified)


def load(debrief, conditions) -> list[EntryRow]:
    """Live entries of `debrief` meeting every condition in `conditions`, earliest first."""
    where = (_C.debrief_id == debrief.id, _C.deleted_at.is_(None), *conditions)
    rows = db.session.execute(select(*_COLUMNS).join(Agency, Agency.id == _C.agency_id).where(*where)
                              .order_by(*chronological_order())).all()
    if not rows:
        return []
    people: dict[int, list[Subject]] = {}
    by_id = {s.id: s for s in debrief.subjects}
    linked = select(_C.id).where(*where)
    for entry_id, subject_id in db.session.execute(
            select(chronology_subject.c.entry_id, chronology_subject.c.subject_id)
            .where(chronology_subject.c.entry_id.in_(linked))):
        if subject_id in by_id:
            people.setdefault(entry_id, []).append(by_id[subject_id])
    order = {s.id: i for i, s in enumerate(debrief.subjects)}
    learning: dict[int, list[LearningLabel]] = {}
    for entry_id, lp_id, number in db.session.execute(
            select(learning_evidence.c.entry_id, LearningPoint.id, LearningPoint.number)
            .join(LearningPoint, LearningPoint.id == learning_evidence.c.learning_id)
            .where(learning_evidence.c.entry_id.in_(linked)).order_by(LearningPoint.number)):
        learning.setdefault(entry_id, []).append(LearningLabel(lp_id, f"L{number}"))
    out = []
    for r in rows:
        subjects = people.get(r[0], [])
        subjects.sort(key=lambda s: order[s.id])
        out.append(EntryRow(r[0], r[1], r[2], r[3], AgencyName(r[4]), *r[5:], subjects=subjects,
                            learning_points=learning.get(r[0], [])))
    return out
