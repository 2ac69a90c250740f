"""When an action is overdue: derived from its due date and status, never stored.

An action is overdue from the first minute of the UK day after its due date, until it
is completed (awaiting sign-off), closed or marked not doing. Days are UK days
(Europe/London), so the answer does not move at midnight UTC or across a clock change.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import and_

from app.debriefs.timeliness import LONDON, today
from app.models import Action, ActionStatus

DONE = (ActionStatus.COMPLETED.value, ActionStatus.CLOSED.value, ActionStatus.NOT_DOING.value)


def uk_day(moment: datetime | None = None) -> date:
    return moment.astimezone(LONDON).date() if moment else today()


def is_overdue(action: Action, moment: datetime | None = None) -> bool:
    return overdue_on(action, uk_day(moment))


def overdue_on(action: Action, day: date) -> bool:
    return action.status not in DONE and action.due_on < day


def overdue_clause(on: date | None = None):
    """The same rule as a SQL condition, for counts and lists."""
    return and_(Action.status.not_in(DONE), Action.due_on < (on or today()))


# How long actions have been overdue, in the bands the working group and the board use (domain brief §6).
# (key, label, first day, last day); one day overdue is the first UK day after the due date.
AGE_BANDS = (("0-30", "0 to 30 days", 0, 30), ("31-90", "31 to 90 days", 31, 90), ("91+", "more than 90 days", 91, None))


def age_band_clause(key: str, on: date | None = None):
    """Overdue actions whose days overdue fall in the band `key`."""
    on = on or today()
    _, _, low, high = next(b for b in AGE_BANDS if b[0] == key)
    clause = and_(overdue_clause(on), Action.due_on <= on - timedelta(days=max(low, 1)))
    if high is not None:
        clause = and_(clause, Action.due_on >= on - timedelta(days=high))
    return clause


def days_overdue(action: Action, on: date | None = None) -> int:
    return ((on or today()) - action.due_on).days


def age_band(action: Action, on: date | None = None) -> str | None:
    """The band key of an overdue action (the same rule as age_band_clause), or None if it is not overdue."""
    on = on or today()
    if not overdue_on(action, on):
        return None
    days = days_overdue(action, on)
    return next(key for key, _, low, high in AGE_BANDS if days >= low and (high is None or days <= high))
