"""Calendar arithmetic done by the database agrees with Python's, on both databases."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.extensions import db

LONDON = ZoneInfo("Europe/London")


def _clock_changes(first: int, last: int) -> list[datetime]:
    """Every UTC instant at which UK clocks changed between `first` and `last`, found by zoneinfo."""
    out = []
    for year in range(first, last + 1):
        for month in (3, 10):
            moment = datetime(year, month, 20, 0, tzinfo=timezone.utc)
            offset = moment.astimezone(LONDON).utcoffset()
            while moment.astimezone(LONDON).utcoffset() == offset:
                moment += timedelta(hours=1)
            out.append(moment)
    return out


def test_uk_date_in_sql_matches_zoneinfo_around_every_clock_change(app):
    from app.models import UTCDateTime
    from app.sqltime import uk_date

    instants = []
    for change in _clock_changes(1997, 2060):
        for delta in (-1, 0, 1, 22 * 60, 23 * 60, 24 * 60 - 1, 24 * 60):  # minutes around the change and midnight
            instants.append(change + timedelta(minutes=delta))
    day = date(2025, 1, 1)
    while day < date(2027, 1, 1):  # the late evening of every day of two years, where UTC and UK days part
        for h, m, s, us in ((22, 59, 59, 999999), (23, 0, 0, 0), (23, 59, 59, 999999), (0, 0, 0, 0)):
            instants.append(datetime(day.year, day.month, day.day, h, m, s, us, tzinfo=timezone.utc))
        day += timedelta(days=1)
    instants += [datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc),
                 datetime(2025, 6, 30, 23, 30, tzinfo=timezone.utc), datetime(2025, 3, 31, 23, 30, tzinfo=timezone.utc)]
    with app.app_context():
        got = [(ts, db.session.scalar(sa.select(uk_date(sa.literal(ts, UTCDateTime()))))) for ts in instants]
    wrong = [(ts, day) for ts, day in got if day != ts.astimezone(LONDON).date()]
    assert len(got) == len(instants) > 3800 and not wrong, wrong[:5]


def test_days_between_and_month_index(app):
    from app.sqltime import days_between, month_index, month_number

    pairs = [(date(2025, 3, 31), date(2025, 3, 1)), (date(2024, 3, 1), date(2024, 2, 28)),
             (date(2025, 1, 1), date(2025, 1, 1)), (date(2024, 12, 31), date(2025, 1, 1))]
    with app.app_context():
        for later, earlier in pairs:
            assert db.session.scalar(sa.select(days_between(sa.literal(later, sa.Date), sa.literal(earlier, sa.Date)))) \
                == (later - earlier).days
            assert db.session.scalar(sa.select(month_index(sa.literal(later, sa.Date)))) == month_number(later)
