"""The reporting periods the board uses: a quarter, the last 12 months, a financial year, or chosen dates.

Quarters are calendar quarters named by the financial year they fall in (the UK public sector's year runs
from 1 April): October to December 2026 is Q3 of 2026-27. All dates are UK calendar days, inclusive.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta

KINDS = (("12m", "Last 12 months"), ("quarter", "Quarter"), ("fy", "Financial year"), ("custom", "Chosen dates"))


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # inclusive
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def args(self) -> dict:
        """The query parameters that choose this period again."""
        if self.kind == "quarter":
            return {"period": "quarter", "quarter": quarter_key(self.start)}
        if self.kind == "fy":
            return {"period": "fy", "fy": str(financial_year(self.start))}
        if self.kind == "custom":
            return {"period": "custom", "from": self.start.isoformat(), "to": self.end.isoformat()}
        return {"period": "12m", "to": self.end.isoformat()}

    def previous(self) -> Period:
        """The period of the same length just before this one (the quarter before, the year before)."""
        if self.kind == "quarter":
            return quarter(self.start - relativedelta(months=3))
        if self.kind == "fy":
            return fiscal_year(financial_year(self.start) - 1)
        if self.kind == "12m":
            return last_12_months(self.start - timedelta(days=1))
        end = self.start - timedelta(days=1)
        return custom(end - timedelta(days=self.days - 1), end)

    def quarters(self) -> list[Period]:
        """The calendar quarters this period touches, each cut to the period."""
        return self._cut(quarter, 3)

    def buckets(self) -> Buckets:
        """The trend's buckets: quarters, or financial years when there would be more than
        `MAX_QUARTERS` quarters (forty quarters of a ten-year view are unreadable as a trend)."""
        return _buckets(self)

    def _buckets(self) -> Buckets:
        quarters = self.quarters()
        if len(quarters) <= MAX_QUARTERS:
            return Buckets("quarter", 3, 0, quarters)
        return Buckets("financial year", 12, 3, self._cut(lambda d: fiscal_year(financial_year(d)), 12))

    def _cut(self, containing, months: int) -> list[Period]:
        out = []
        p = containing(self.start)
        while p.start <= self.end:
            out.append(Period(p.kind, max(p.start, self.start), min(p.end, self.end), p.label))
            p = containing(p.start + relativedelta(months=months))
        return out


MAX_QUARTERS = 8


@lru_cache(maxsize=128)
def _buckets(period: Period) -> Buckets:
    return period._buckets()


@dataclass(frozen=True)
class Buckets:
    """Consecutive spans of `months` months, the first starting `offset` months after January: a month
    numbered year * 12 + month - 1 (`app.sqltime.month_index`) falls in bucket (number - offset) // months."""

    name: str
    months: int
    offset: int
    periods: list[Period]

    def key(self, day: date) -> int:
        return (day.year * 12 + day.month - 1 - self.offset) // self.months


def financial_year(day: date) -> int:
    """The year in which the financial year holding `day` began (1 April)."""
    return day.year if day.month >= 4 else day.year - 1


def quarter_key(day: date) -> str:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return first.strftime("%Y-%m")


def quarter(day: date) -> Period:
    start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    end = start + relativedelta(months=3) - timedelta(days=1)
    fy = financial_year(start)
    number = (start.month - 4) % 12 // 3 + 1
    label = f"Q{number} {fy}-{(fy + 1) % 100:02d} ({start.strftime('%b')}–{end.strftime('%b %Y')})"
    return Period("quarter", start, end, label)


def fiscal_year(year: int) -> Period:
    return Period("fy", date(year, 4, 1), date(year + 1, 3, 31), f"Financial year {year}-{(year + 1) % 100:02d}")


def last_12_months(end: date) -> Period:
    start = end - relativedelta(years=1) + timedelta(days=1)
    return Period("12m", start, end, f"12 months to {end.strftime('%d %b %Y')}")


def custom(start: date, end: date) -> Period:
    return Period("custom", start, end, f"{start.strftime('%d %b %Y')} to {end.strftime('%d %b %Y')}")


def quarter_choices(today: date, count: int = 12) -> list[tuple[str, str]]:
    """The latest `count` quarters, newest first, for the selector."""
    out, q = [], quarter(today)
    for _ in range(count):
        out.append((quarter_key(q.start), q.label))
        q = quarter(q.start - timedelta(days=1))
    return out


def fy_choices(today: date, count: int = 6) -> list[tuple[str, str]]:
    first = financial_year(today)
    return [(str(y), fiscal_year(y).label) for y in range(first, first - count, -1)]
