"""When an action is overdue: derived from its due date and status, never stored.

An action is overdue from the first minute of the UK day after its due date, until it
is completed (awaiting sign-off), closed or marked not doing. Days are UK days
(Europe/London), so the answer does not move at midnight UTC or across a clock change.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_

from app.debriefs.timeliness import LONDON, today
from app.models import Action, ActionStatus

DONE = (ActionStatus.COMPLETED.value, ActionStatus.CLOSED.value, ActionStatus.NOT_DOING.value)


def uk_day(moment: datetime | None = None) -> date:
    return moment.astimezone(LONDON).date() if moment else today()


def is_overdue(action: Action, moment: datetime | None = None) -> bool:
    return action.status not in DONE and action.due_on < uk_day(moment)


def overdue_clause(on: date | None = None):
    """The same rule as a SQL condition, for counts and lists."""
    return and_(Action.status.not_in(DONE), Action.due_on < (on or today()))
