"""Derived timeliness facts: days since incident, days in stage, and the RAG mark."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.models import BEFORE_MEETING, Stage

LONDON = ZoneInfo("Europe/London")


def today() -> date:
    return datetime.now(LONDON).date()


def local_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def previous_meeting_day(day: date) -> date:
    """The daily management meeting runs on weekdays: the weekday before `day`."""
    prev = day - timedelta(days=1)
    while prev.weekday() >= 5:
        prev -= timedelta(days=1)
    return prev


def start_of_previous_meeting_day(day: date | None = None) -> datetime:
    prev = previous_meeting_day(day or today())
    return datetime(prev.year, prev.month, prev.day, tzinfo=LONDON)


@dataclass(frozen=True)
class Rag:
    status: str  # "green", "amber", "red", or "none"
    label: str
    detail: str


def rag(stage: Stage, incident: date, meeting: date | None, target: int, amber_window: int,
        on: date | None = None) -> Rag:
    """The timeliness mark against the incident-to-meeting target (`meeting`: the day it was held)."""
    on = on or today()
    if meeting is not None:
        days = (meeting - incident).days
        if days <= target:
            return Rag("green", "Met", f"Meeting {days} days after the incident (target {target})")
        return Rag("red", "Missed", f"Meeting {days} days after the incident (target {target})")
    if stage not in BEFORE_MEETING:
        return Rag("none", "", "")
    days = (on - incident).days
    if days > target:
        return Rag("red", "Overdue", f"{days} days since the incident, no meeting yet (target {target})")
    if days >= target - amber_window:
        return Rag("amber", "Due soon", f"{target - days} days left to hold the meeting (target {target})")
    return Rag("green", "On track", f"{target - days} days left to hold the meeting (target {target})")
