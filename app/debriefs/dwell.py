"""Time spent in each stage, from the stage history: one spell per arrival in a stage.

A spell runs from the move into a stage to the next move of the same debrief (or to now, for the stage it
is in). A debrief moved back and forward again has two spells in a stage; its time there is their sum.
Durations are measured between UTC timestamps, so a clock change neither adds nor removes an hour.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, literal, select

from app.extensions import db
from app.models import STAGE_ORDER, Stage, StageChange, utcnow
from app.sqltime import elapsed_days


def spells(now: datetime | None = None, debrief_id: int | None = None, among=None):
    """A subquery of spells: debrief_id, stage, entered, left (null while the debrief is still there) and
    days (to now for an open spell). Of one debrief, of those `among` (a select of ids), or of all."""
    sc = StageChange
    left = func.lead(sc.changed_at).over(partition_by=sc.debrief_id, order_by=(sc.changed_at, sc.id))
    stmt = select(sc.debrief_id.label("debrief_id"), sc.to_stage.label("stage"), sc.changed_at.label("entered"),
                  left.label("left"))
    if debrief_id is not None:
        stmt = stmt.where(sc.debrief_id == debrief_id)
    if among is not None:
        stmt = stmt.where(sc.debrief_id.in_(among))
    inner = stmt.subquery()
    moment = (literal(now, type_=StageChange.changed_at.type) if now is not None
              else bindparam("now", callable_=utcnow, type_=StageChange.changed_at.type, unique=True))  # when it runs
    until = func.coalesce(inner.c.left, moment)
    return select(inner.c.debrief_id, inner.c.stage, inner.c.entered, inner.c.left,
                  elapsed_days(until, inner.c.entered).label("days")).subquery("spells")


def time_in_stages(debrief_id: int, now: datetime | None = None) -> list[tuple[Stage, float, int, bool]]:
    """For one debrief, in board order: (stage, days there in all, number of spells, there now)."""
    s = spells(now, debrief_id)
    rows = db.session.execute(select(s.c.stage, func.sum(s.c.days), func.count(),
                                     func.count().filter(s.c.left.is_(None))).group_by(s.c.stage)).all()
    found = {Stage(stage): (float(days or 0), n, bool(open_)) for stage, days, n, open_ in rows}
    return [(stage, *found[stage]) for stage in STAGE_ORDER if stage in found]
