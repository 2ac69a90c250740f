"""Who is counted in each of the board's measures: one SQL definition per cohort.

Each figure on the dashboard is an aggregate over a cohort defined here, and the list behind the figure
(the drill-down) is the same cohort's rows, so a count and its list can never disagree. A debrief belongs
to a period by the date of the event the measure is about: referral measures by the DMM date, meeting
measures by the day the meeting was held, document measures by the day the first version was issued.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import aliased

from app.governance.periods import Period
from app.models import (
    Agency,
    ChronologyEntry,
    Debrief,
    Decision,
    Invitee,
    LearningDocument,
    LearningPoint,
    Meeting,
    StageChange,
    utcnow,
)
from app.models.meeting import Attendance
from app.sqltime import days_between, uk_date, uk_day_bounds


@dataclass(frozen=True)
class Scope:
    """What the board asked about: a period and, optionally, one category and one context."""

    period: Period
    category: str | None = None
    context: str | None = None

    def debrief_conditions(self) -> list:
        out = []
        if self.category:
            out.append(Debrief.category == self.category)
        if self.context:
            out.append(Debrief.context == self.context)
        return out

    def args(self) -> dict:
        """The query parameters that ask for this scope again."""
        out = self.period.args()
        out.update({k: v for k, v in (("category", self.category), ("context", self.context)) if v})
        return out

    def within(self, column, period: Period | None = None) -> list:
        """A date column on one of the period's days."""
        p = period or self.period
        return [column >= p.start, column <= p.end]

    def within_utc(self, column, period: Period | None = None) -> list:
        """A UTC timestamp column on one of the period's UK days (the same as `within(uk_date(column))`)."""
        p = period or self.period
        begin, end = uk_day_bounds(p.start, p.end)
        return [column >= begin, column < end]


def held_meetings():
    """Meetings that took place: not cancelled and begun. debrief_id, held_on (UK day)."""
    return (select(Meeting.id.label("meeting_id"), Meeting.debrief_id.label("debrief_id"),
                   Meeting.starts_at.label("starts_at"), uk_date(Meeting.starts_at).label("held_on"))
            .where(Meeting.cancelled_at.is_(None), Meeting.starts_at <= _now()).subquery("held"))


def _now():
    """The time a statement runs (not when it was built: measures keep their statements)."""
    return bindparam("now", callable_=utcnow, type_=Meeting.starts_at.type, unique=True)


def first_issues():
    """The day each debrief's document was first issued (UK day)."""
    return (select(LearningDocument.debrief_id.label("debrief_id"),
                   func.min(LearningDocument.issued_at).label("first_at"))
            .group_by(LearningDocument.debrief_id).subquery("first_issue"))


# ---- referrals ----------------------------------------------------------------------------------------

def referred(scope: Scope, period: Period | None = None):
    """Debriefs referred to the DMM in the period."""
    return select(Debrief.id).where(*scope.within(Debrief.dmm_date, period), *scope.debrief_conditions())


# ---- timeliness milestones ----------------------------------------------------------------------------

MILESTONES = {
    "dmm": ("Incident to DMM", "target_days_to_dmm"),
    "meeting": ("Incident to debrief meeting", "target_days_to_meeting"),
    "document": ("Incident to learning document issued", "target_days_to_document"),
}


def milestone(key: str, scope: Scope, period: Period | None = None):
    """id, value (days from the incident), on (the milestone's day) for debriefs reaching it in the period."""
    if key == "dmm":
        on = Debrief.dmm_date
        stmt = select(Debrief.id.label("id"), days_between(on, Debrief.incident_date).label("value"),
                      on.label("on"))
    elif key == "meeting":
        held = held_meetings()
        on = held.c.held_on
        stmt = (select(Debrief.id.label("id"), days_between(on, Debrief.incident_date).label("value"),
                       on.label("on")).join(held, held.c.debrief_id == Debrief.id)
                .where(*scope.within_utc(held.c.starts_at, period)))
    elif key == "document":
        first = first_issues()
        on = uk_date(first.c.first_at)
        stmt = (select(Debrief.id.label("id"), days_between(on, Debrief.incident_date).label("value"),
                       on.label("on")).join(first, first.c.debrief_id == Debrief.id)
                .where(*scope.within_utc(first.c.first_at, period)))
    else:
        raise KeyError(key)
    if key == "dmm":
        stmt = stmt.where(*scope.within(on, period))
    return stmt.where(*scope.debrief_conditions())


# ---- time in each stage -------------------------------------------------------------------------------

def stage_time(scope: Scope, stage: str | None = None):
    """debrief_id, stage, days: the debriefs that left a stage (or `stage`) in the period and are not back
    in it, with their time there (all their visits added up). Only debriefs moved since the period began
    can have left a stage in it, so only their history is read."""
    from app.debriefs.dwell import spells

    begin, _ = uk_day_bounds(scope.period.start, scope.period.end)
    moved = aliased(StageChange)
    s = spells(among=select(moved.debrief_id).where(moved.changed_at >= begin))
    per = (select(s.c.debrief_id, s.c.stage, func.sum(s.c.days).label("days"),
                  func.max(s.c.left).label("last_left"), func.count().filter(s.c.left.is_(None)).label("open"))
           .where(*([s.c.stage == stage] if stage else []))
           .group_by(s.c.debrief_id, s.c.stage).subquery())
    return (select(per.c.debrief_id, per.c.stage, per.c.days)
            .join(Debrief, Debrief.id == per.c.debrief_id)
            .where(per.c.open == 0, *scope.within_utc(per.c.last_left), *scope.debrief_conditions()))


# ---- meetings and chronology -------------------------------------------------------------------------

def meetings_held(scope: Scope):
    """Debriefs whose meeting was held in the period, with whether a partner attended."""
    held = held_meetings()
    partner = exists().where(Invitee.meeting_id == held.c.meeting_id, Invitee.is_partner.is_(True),
                             Invitee.attendance == Attendance.ATTENDED.value)
    return (select(Debrief.id.label("id"), partner.label("partner"))
            .join(held, held.c.debrief_id == Debrief.id)
            .where(*scope.within_utc(held.c.starts_at), *scope.debrief_conditions()))


def with_chronology(scope: Scope):
    """Accepted debriefs referred in the period that have a chronology, with whether it shows police
    contact before the incident."""
    live = and_(ChronologyEntry.debrief_id == Debrief.id, ChronologyEntry.deleted_at.is_(None))
    police = (exists().where(live, ChronologyEntry.entry_date < Debrief.incident_date,
                             ChronologyEntry.agency_id == Agency.id, Agency.is_police.is_(True)))
    return (select(Debrief.id.label("id"), police.label("police"))
            .where(*scope.within(Debrief.dmm_date), *scope.debrief_conditions(),
                   Debrief.decision == Decision.ACCEPTED.value, exists().where(live)))


def flagged_entries(scope: Scope, *flags: str):
    """Live chronology entries with any of `flags` in debriefs referred in the period, with each flag."""
    columns = [getattr(ChronologyEntry, f) for f in flags]
    return (select(ChronologyEntry.id, ChronologyEntry.debrief_id, ChronologyEntry.agency_id, *columns)
            .join(Debrief, Debrief.id == ChronologyEntry.debrief_id)
            .where(or_(*[c.is_(True) for c in columns]), ChronologyEntry.deleted_at.is_(None),
                   *scope.within(Debrief.dmm_date), *scope.debrief_conditions()))


# ---- learning ------------------------------------------------------------------------------------------

def learning_points(scope: Scope, start: date | None = None, end: date | None = None):
    """Learning points recorded in the period (their UK day), of debriefs matching the scope."""
    on = uk_date(LearningPoint.created_at)
    period = Period("custom", start or scope.period.start, end or scope.period.end, "")
    return (select(LearningPoint.id, LearningPoint.debrief_id, LearningPoint.repeat, LearningPoint.repeats_point_id,
                   LearningPoint.repeats_exchange_id, on.label("on"))
            .join(Debrief, Debrief.id == LearningPoint.debrief_id)
            .where(*scope.within_utc(LearningPoint.created_at, period), *scope.debrief_conditions()))


def documents_issued(scope: Scope):
    """First issues of a learning document in the period."""
    first = first_issues()
    on = uk_date(first.c.first_at)
    return (select(Debrief.id.label("id"), on.label("on")).join(first, first.c.debrief_id == Debrief.id)
            .where(*scope.within_utc(first.c.first_at), *scope.debrief_conditions()))
