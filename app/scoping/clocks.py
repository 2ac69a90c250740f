"""Statutory clocks of parallel reviews, shown as due dates with a RAG mark.

- Child safeguarding: notify the national panel within 5 working days of the
  incident; the rapid review within 15 working days of the notification.
- Coroner's prevention of future deaths report: respond within 56 days of it.

Working days skip weekends and the bank holidays of the force's nation (`BANK_HOLIDAYS`: England and Wales
by default, Scotland or Northern Ireland), substitute days included, from the `holidays` library, which
computes them (one-off ones such as a coronation included) without any download.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from flask import current_app, has_app_context

from app.debriefs.timeliness import today
from app.models import ParallelReview, ReviewType

AMBER_DAYS = 2
# The force's nation, as configured, and its subdivision in the holidays library.
NATIONS = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}


@lru_cache(maxsize=32)
def _bank_holidays(subdivision: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=year))


def is_bank_holiday(day: date, nation: str | None = None) -> bool:
    nation = nation or (current_app.config["BANK_HOLIDAYS"] if has_app_context() else "england-and-wales")
    return day in _bank_holidays(NATIONS[nation], day.year)


def add_working_days(start: date, days: int, nation: str | None = None) -> date:
    """The day `days` working days after `start` (weekends and bank holidays do not count)."""
    d = start
    while days > 0:
        d += timedelta(days=1)
        if d.weekday() < 5 and not is_bank_holiday(d, nation):
            days -= 1
    return d


@dataclass(frozen=True)
class Clock:
    label: str
    due: date
    done_on: date | None
    short: str = ""  # for a card: "Panel notification"

    @property
    def status(self) -> str:
        if self.done_on is not None:
            return "green" if self.done_on <= self.due else "red"
        days_left = (self.due - today()).days
        if days_left < 0:
            return "red"
        return "amber" if days_left <= AMBER_DAYS else "green"

    @property
    def text(self) -> str:
        if self.done_on is not None:
            return f"done {self.done_on:%d %b %Y}" + ("" if self.done_on <= self.due else " (late)")
        days_left = (self.due - today()).days
        if days_left < 0:
            return f"overdue by {-days_left} day{'s' if days_left != -1 else ''}"
        return f"{days_left} day{'s' if days_left != 1 else ''} left"


def clocks(review: ParallelReview, incident: date) -> list[Clock]:
    if not review.active:
        return []
    if review.review_type == ReviewType.CSPR.value:
        notify = Clock("Notification to the national panel (5 working days)", add_working_days(incident, 5),
                       review.notified_on, "Panel notification")
        start = review.notified_on or notify.due
        return [notify, Clock("Rapid review (15 working days from notification)", add_working_days(start, 15),
                              review.completed_on, "Rapid review")]
    if review.review_type == ReviewType.CORONER.value and review.notified_on:
        return [Clock("Response to the PFD report (56 days)", review.notified_on + timedelta(days=56),
                      review.completed_on, "PFD response")]
    return []
