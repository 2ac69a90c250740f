"""Numbers within a debrief (learning points L1, L2…, actions A01…, quick-time learning Q1…): allocated with
the debrief's row locked first, so two people adding at once queue and never get the same number."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Debrief


def next_number(model, debrief_id: int) -> int:
    """The next `number` of `model` (a table with debrief_id and number) in this debrief, in the caller's
    transaction, under a lock on the debrief's row."""
    db.session.scalars(select(Debrief).where(Debrief.id == debrief_id).with_for_update()).one()
    return (db.session.scalar(select(func.max(model.number)).where(model.debrief_id == debrief_id)) or 0) + 1
