"""Calendar arithmetic and percentiles inside SQL, the same on SQLite and PostgreSQL.

Figures over years of debriefs are computed by the database; only the answers come back. Timestamps are
stored as naive UTC (`UTCDateTime`), but a day belongs to the UK calendar: a meeting at 00:30 BST on
1 April was held in April although UTC says 31 March. `uk_date()` converts inside the query: PostgreSQL
with its time zone database; SQLite, which has none, with the UK's rule written in SQL (British Summer
Time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October, the rule since
1996). A test compares it with Python's zoneinfo at every clock change from 1997 to 2060.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Float, Integer, and_, case, func, literal_column, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from app.extensions import db


class uk_date(FunctionElement):
    """The UK calendar date of a UTC timestamp column."""

    type = Date()
    inherit_cache = True
    name = "uk_date"


@compiles(uk_date, "sqlite")
def _uk_date_sqlite(element, compiler, **kw):
    ts = compiler.process(element.clauses, **kw)
    day = f"substr({ts}, 1, 10)"
    month = f"substr({ts}, 6, 2)"
    starts = f"date(substr({ts}, 1, 4) || '-03-31', '-6 days', 'weekday 0') || ' 01:00:00'"
    ends = f"date(substr({ts}, 1, 4) || '-10-31', '-6 days', 'weekday 0') || ' 01:00:00'"
    # The UK day differs from the UTC day only from 23:00 UTC in summer time, so most rows need no date
    # arithmetic at all: April to September are wholly summer time, November to February wholly not, and
    # only March and October need the rule.
    return (f"CASE WHEN substr({ts}, 12, 2) < '23' THEN {day} "
            f"WHEN {month} BETWEEN '04' AND '09' THEN date({day}, '+1 day') "
            f"WHEN {month} IN ('03', '10') AND {ts} >= {starts} AND {ts} < {ends} THEN date({day}, '+1 day') "
            f"ELSE {day} END")


@compiles(uk_date, "postgresql")
def _uk_date_pg(element, compiler, **kw):
    return f"CAST(timezone('Europe/London', timezone('UTC', {compiler.process(element.clauses, **kw)})) AS DATE)"


UK = ZoneInfo("Europe/London")


def uk_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC instants at which UK day `first` begins and UK day `last` ends (exclusive): a timestamp is on
    one of those days exactly when it lies in [begin, end). Comparing a stored timestamp with these uses its
    index and converts nothing, where `uk_date(column) >= first` converts every row."""
    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=UK).astimezone(timezone.utc)
    return midnight(first), midnight(last + timedelta(days=1))


def _pair(element, compiler, kw) -> tuple[str, str]:
    later, earlier = list(element.clauses)
    return compiler.process(later, **kw), compiler.process(earlier, **kw)


class days_between(FunctionElement):
    """Whole days from the second date to the first (negative if it is earlier)."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw):
    return "CAST(julianday({}) - julianday({}) AS INTEGER)".format(*_pair(element, compiler, kw))


@compiles(days_between, "postgresql")
def _days_pg(element, compiler, **kw):
    return "(CAST({} AS DATE) - CAST({} AS DATE))".format(*_pair(element, compiler, kw))


class elapsed_days(FunctionElement):
    """Days, with fractions, between two UTC timestamps (a duration: the clock change does not move it)."""

    type = Float()
    inherit_cache = True
    name = "elapsed_days"


@compiles(elapsed_days, "sqlite")
def _elapsed_sqlite(element, compiler, **kw):
    return "(julianday({}) - julianday({}))".format(*_pair(element, compiler, kw))


@compiles(elapsed_days, "postgresql")
def _elapsed_pg(element, compiler, **kw):
    return "(EXTRACT(EPOCH FROM ({} - {})) / 86400.0)".format(*_pair(element, compiler, kw))


# ---- percentiles ---------------------------------------------------------------------------------------

# (name, numerator, denominator): percentiles as exact fractions, so ranks are integer arithmetic in SQL.
MEDIAN = ("median", 1, 2)
P90 = ("p90", 9, 10)


def percentiles(values, *, group=None, wanted=(MEDIAN, P90), at_most: float | None = None) -> dict:
    """Percentiles of `values` (a subquery with columns `value` and, if `group` is true, `grp`), per group.

    Continuous percentiles, as PostgreSQL's percentile_cont and a spreadsheet's PERCENTILE.INC: the value at
    rank 1 + (n - 1) * p, interpolated between its neighbours. The database numbers the rows of each group
    and returns only the one or two rows either side of each wanted rank, so nothing else leaves it.
    With `at_most`, each group also says how many of its values are at most that ("within").
    Returns {group: {"n": n, "median": ..., "p90": ..., "within": ...}} (group None when ungrouped).
    """
    stmt = percentile_rows(values, group=group, wanted=wanted, at_most=at_most)
    return read_percentiles(db.session.execute(stmt).all(), group=group, wanted=wanted)


def percentile_rows(values, *, group=None, wanted=(MEDIAN, P90), at_most: float | None = None):
    """The statement `percentiles` runs: built once, it can be kept and run again (`read_percentiles`)."""
    grp = values.c.grp if group else literal_column("0")
    columns = [grp.label("g"), values.c.value.label("v"),
               func.row_number().over(partition_by=grp, order_by=values.c.value).label("rn"),
               func.count().over(partition_by=grp).label("n")]
    if at_most is not None:
        columns.append(func.sum(case((values.c.value <= at_most, 1), else_=0)).over(partition_by=grp).label("k"))
    numbered = select(*columns).subquery()
    conditions = []
    for _, num, den in wanted:
        low = 1 + ((numbered.c.n - 1) * num) // den  # integer division on both databases
        conditions.append(and_(numbered.c.rn >= low, numbered.c.rn <= low + 1))
    extra = [numbered.c.k] if at_most is not None else []
    return select(numbered.c.g, numbered.c.v, numbered.c.rn, numbered.c.n, *extra).where(or_(*conditions))


def read_percentiles(rows, *, group=None, wanted=(MEDIAN, P90)) -> dict:
    by_group: dict = {}
    for row in rows:
        g, v, rn, n = row[:4]
        found = by_group.setdefault(g if group else None, {"n": n, "ranks": {}, "within": row[4] if len(row) > 4 else None})
        found["ranks"][rn] = float(v)
    out = {}
    for g, found in by_group.items():
        n, ranks = found["n"], found["ranks"]
        out[g] = {"n": n, "within": int(found["within"] or 0)}
        for name, num, den in wanted:
            position = (n - 1) * num / den  # zero-based
            low = int(position)
            fraction = position - low
            value = ranks[low + 1]
            if fraction:
                value += (ranks[low + 2] - value) * fraction
            out[g][name] = value
    return out


# ---- calendar buckets ----------------------------------------------------------------------------------

class month_index(FunctionElement):
    """year * 12 + month - 1 of a date: consecutive months are consecutive numbers."""

    type = Integer()
    inherit_cache = True
    name = "month_index"


@compiles(month_index, "sqlite")
def _month_index_sqlite(element, compiler, **kw):
    x = compiler.process(element.clauses, **kw)
    return f"(CAST(substr({x}, 1, 4) AS INTEGER) * 12 + CAST(substr({x}, 6, 2) AS INTEGER) - 1)"


@compiles(month_index, "postgresql")
def _month_index_pg(element, compiler, **kw):
    x = compiler.process(element.clauses, **kw)
    return f"(CAST(EXTRACT(YEAR FROM {x}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {x}) AS INTEGER) - 1)"


def month_number(day) -> int:
    """The same number in Python."""
    return day.year * 12 + day.month - 1
