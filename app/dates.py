"""How dates are written in what leaves the system (documents, briefings): one format, UK style."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def long_date(value: date | datetime | None) -> str:
    """'7 December 2026'; a datetime is first put in UK time."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(UK).date() if value.tzinfo else value.date()
    return f"{value.day} {value:%B %Y}"


def month_year(value: date | datetime | None) -> str:
    """'December 2026': as fine as a date may be where the day could identify a case."""
    if value is None:
        return "—"
    if isinstance(value, datetime) and value.tzinfo:
        value = value.astimezone(UK)
    return f"{value:%B %Y}"
