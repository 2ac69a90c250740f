"""The board's headline measures (domain brief §6), each an aggregate over a cohort from `cohorts`.

Every figure comes from SQL aggregates; percentiles come back as the one or two rows either side of their
rank (`app.sqltime.percentiles`). The number of queries is fixed: it does not grow with the data.
Each figure carries the drill-down arguments (`drill`) that list the records behind it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from sqlalchemy import func, literal, select, union_all

from app.extensions import db
from app.governance import cohorts
from app.governance.cohorts import MILESTONES, Scope
from app.governance.periods import Buckets, Period, last_12_months
from app.models import (
    STAGE_ORDER,
    Agency,
    Category,
    Context,
    Debrief,
    Decision,
    Dissemination,
    LearningDocument,
    Repeat,
    Theme,
)
from app.models.learning import learning_theme
from app.sqltime import month_index, month_number, percentile_rows, read_percentiles


@dataclass
class Figure:
    """One number with what it is, and the drill-down that lists what it counts (None: not listable)."""

    value: float | int | None
    drill: dict | None = None
    of: int | None = None  # the denominator, for a share

    @property
    def percent(self) -> float | None:
        if self.of:
            return 100.0 * (self.value or 0) / self.of
        return None


@dataclass
class Spread:
    """Days to a milestone in one period: how many, median, 90th percentile, share within target."""

    label: str
    n: int
    median: float | None
    p90: float | None
    within: Figure
    drill: dict = field(default_factory=dict)


def _share(value: int, of: int, drill: dict | None) -> Figure:
    return Figure(value, drill, of)


# ---- referrals ----------------------------------------------------------------------------------------

def volumes(scope: Scope) -> dict:
    """Debriefs referred in the period, by category and context."""
    ids = cohorts.referred(scope).subquery()
    rows = db.session.execute(select(Debrief.category, Debrief.context, func.count())
                              .where(Debrief.id.in_(select(ids.c.id)))
                              .group_by(Debrief.category, Debrief.context)).all()
    counts = {(c, x): n for c, x, n in rows}
    table = {c.value: {x.value: Figure(counts.get((c.value, x.value), 0),
                                        {"measure": "referred", "category": c.value, "context": x.value})
                       for x in Context} for c in Category}
    total = Figure(sum(counts.values()), {"measure": "referred"})
    return {"table": table, "total": total}


def volumes_by_bucket(scope: Scope) -> list[dict]:
    """Debriefs referred in each bucket of the period (quarters, or financial years over a long period), by
    category and context (none for a single quarter)."""
    buckets = scope.period.buckets()
    if len(buckets.periods) < 2:
        return []
    bucket = _bucket_of(buckets, Debrief.dmm_date).label("q")
    ids = cohorts.referred(scope).subquery()
    counts: dict[int, dict[tuple[str, str], int]] = {}
    for q, category, context, n in db.session.execute(
            select(bucket, Debrief.category, Debrief.context, func.count())
            .where(Debrief.id.in_(select(ids.c.id))).group_by(bucket, Debrief.category, Debrief.context)).all():
        counts.setdefault(q, {})[(category, context)] = n
    rows = []
    for b in buckets.periods:
        found = counts.get(buckets.key(b.start), {})
        args = _bucket_args(b)
        rows.append({"label": b.label, "total": Figure(sum(found.values()), {"measure": "referred", **args}),
                     "cells": {(c.value, x.value): Figure(found.get((c.value, x.value), 0),
                                                         {"measure": "referred", "category": c.value,
                                                          "context": x.value, **args})
                               for c in Category for x in Context}})
    return rows


def decisions(scope: Scope) -> dict:
    ids = cohorts.referred(scope).subquery()
    decision = func.coalesce(Debrief.decision, "pending")
    rows = dict(db.session.execute(select(decision, func.count()).where(Debrief.id.in_(select(ids.c.id)))
                                   .group_by(decision)).all())
    total = sum(rows.values())
    keys = (Decision.ACCEPTED.value, Decision.DECLINED.value, "pending")
    return {k: _share(rows.get(k, 0), total, {"measure": "decision", "decision": k}) for k in keys}


# ---- timeliness ---------------------------------------------------------------------------------------

def timeliness(scope: Scope, targets: dict[str, int], trend: bool = True,
               only: tuple[str, ...] | None = None) -> dict[str, list[Spread]]:
    """For each milestone: one Spread per bucket of the period (quarters, or financial years over a long
    period; none when it is one quarter), then the whole period (last)."""
    buckets = scope.period.buckets()
    periods = buckets.periods if trend and len(buckets.periods) > 1 else []  # one: the whole is that one
    out = {}
    for key, (label, target_key) in MILESTONES.items():
        if only is not None and key not in only:
            continue
        target = targets[target_key]
        statement = _timeliness_statement(key, scope, target, bool(periods))
        spread = read_percentiles(db.session.execute(statement).all(), group=True)
        spreads = []
        for b in periods:
            s = spread.get(buckets.key(b.start), {"n": 0, "within": 0})
            drill = {"measure": f"milestone:{key}", **_bucket_args(b)}
            spreads.append(Spread(b.label, s["n"], s.get("median"), s.get("p90"),
                                  _share(s["within"], s["n"], {**drill, "outside": ""}), drill))
        whole = spread.get(-1, {"n": 0, "within": 0})
        drill = {"measure": f"milestone:{key}"}
        spreads.append(Spread(scope.period.label, whole["n"], whole.get("median"), whole.get("p90"),
                              _share(whole["within"], whole["n"], drill), drill))
        out[key] = {"label": label, "target": target, "spreads": spreads}
    return out


@lru_cache(maxsize=64)
def _timeliness_statement(key: str, scope: Scope, target: int, trend: bool):
    """One query: each bucket's values, and all of them again as group -1 (the whole period).

    Kept per scope: the dashboard asks the same questions all day, and building these statements costs
    more than running them on a year's debriefs. Nothing in one depends on the time it is run."""
    # A CTE, so that both halves of the union read rows computed once.
    rows = cohorts.milestone(key, scope).cte(f"milestone_{key}")
    everything = select(literal(-1).label("grp"), rows.c.value.label("value"))
    if trend:
        by_bucket = select(_bucket_of(scope.period.buckets(), rows.c.on).label("grp"), rows.c.value.label("value"))
        everything = union_all(by_bucket, everything)
    return percentile_rows(everything.subquery(), group=True, at_most=target)


def _bucket_of(buckets: Buckets, day_column):
    return (month_index(day_column) - buckets.offset) // buckets.months


def _bucket_args(bucket: Period) -> dict:
    return {"from": bucket.start.isoformat(), "to": bucket.end.isoformat(), "period": "custom"}


@lru_cache(maxsize=32)
def _dwell_statement(scope: Scope):
    rows = cohorts.stage_time(scope).subquery()
    return percentile_rows(select(rows.c.stage.label("grp"), rows.c.days.label("value")).subquery(), group=True)


def dwell(scope: Scope) -> list[dict]:
    """Time in each stage, in days: median and 90th percentile over debriefs that left it in the period
    (all their visits added up), and how many are in it now."""
    spread = read_percentiles(db.session.execute(_dwell_statement(scope)).all(), group=True)
    now = dict(db.session.execute(select(Debrief.stage, func.count()).where(*scope.debrief_conditions())
                                  .group_by(Debrief.stage)).all())
    rows = []
    for stage in STAGE_ORDER:
        if stage.is_final:
            continue
        sp = spread.get(stage.value, {"n": 0})
        rows.append({"stage": stage, "n": sp["n"], "median": sp.get("median"), "p90": sp.get("p90"),
                     "drill": {"measure": f"dwell:{stage.value}"}, "now": now.get(stage.value, 0)})
    return rows


# ---- meetings, chronology -----------------------------------------------------------------------------

def partners_and_police(scope: Scope) -> dict:
    held = cohorts.meetings_held(scope).subquery()
    n_held, with_partner = db.session.execute(select(func.count(), func.count().filter(held.c.partner))).one()
    chron = cohorts.with_chronology(scope).subquery()
    n_chron, police = db.session.execute(select(func.count(), func.count().filter(chron.c.police))).one()
    return {"partner": _share(with_partner, n_held, {"measure": "partner", "answer": "yes"}),
            "held": Figure(n_held, {"measure": "partner"}),
            "police": _share(police, n_chron, {"measure": "police", "answer": "yes"}),
            "with_chronology": Figure(n_chron, {"measure": "police"})}


def flags_by_agency(scope: Scope) -> list[dict]:
    """Missed opportunities and good practice, by the agency whose contact it was."""
    flags = ("missed_opportunity", "good_practice")
    entries = cohorts.flagged_entries(scope, *flags).subquery()
    counts = {agency_id: dict(zip(flags, found, strict=True)) for agency_id, *found in db.session.execute(
        select(entries.c.agency_id, *[func.count().filter(entries.c[f].is_(True)) for f in flags])
        .group_by(entries.c.agency_id)).all()}
    names = dict(db.session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(list(counts)))).all())
    rows = [{"agency": names.get(a, "?"), "agency_id": a,
             **{flag: Figure(c.get(flag, 0), {"measure": f"flag:{flag}", "agency": str(a)})
                for flag in ("missed_opportunity", "good_practice")}}
            for a, c in counts.items()]
    rows.sort(key=lambda r: (-(r["missed_opportunity"].value + r["good_practice"].value), r["agency"]))
    return rows


# ---- learning ------------------------------------------------------------------------------------------

def themes(scope: Scope) -> dict:
    """How often each theme was given to learning in the period, with its monthly counts over the 12 months
    to the period's end, and the repeat-learning rate."""
    lp = cohorts.learning_points(scope).subquery()
    freq = dict(db.session.execute(select(learning_theme.c.theme_id, func.count())
                                   .join(lp, lp.c.id == learning_theme.c.learning_id)
                                   .group_by(learning_theme.c.theme_id)).all())
    year = last_12_months(scope.period.end)
    months = _months(year)
    lp_year = cohorts.learning_points(scope, year.start, year.end).subquery()
    bucket = month_index(lp_year.c.on)
    trend: dict[int, dict[int, int]] = {}
    for theme_id, month, n in db.session.execute(
            select(learning_theme.c.theme_id, bucket.label("month"), func.count())
            .join(lp_year, lp_year.c.id == learning_theme.c.learning_id)
            .group_by(learning_theme.c.theme_id, bucket)).all():
        trend.setdefault(theme_id, {})[month] = n
    names = dict(db.session.execute(select(Theme.id, Theme.name)).all())
    rows = [{"theme": names.get(t, "?"), "theme_id": t,
             "count": Figure(freq.get(t, 0), {"measure": "theme", "theme": str(t)}),
             "trend": [trend.get(t, {}).get(month_number(a), 0) for _, a, _ in months]}
            for t in set(freq) | set(trend)]
    rows.sort(key=lambda r: (-r["count"].value, -sum(r["trend"]), r["theme"]))
    total, repeats, tied = db.session.execute(
        select(func.count(), func.count().filter(repeats_earlier(lp)), func.count().filter(tied_to_earlier(lp)))).one()
    return {"rows": rows, "months": [a.strftime("%b %y") for _, a, _ in months],
            "repeat": _share(repeats, total, {"measure": "repeat"}),
            "repeat_linked": Figure(tied, {"measure": "repeat", "answer": "linked"}),
            "points": Figure(total, {"measure": "learning"})}


def tied_to_earlier(lp):
    """A learning point linked to the exact earlier learning it repeats (ours, or another force's)."""
    return lp.c.repeats_point_id.is_not(None) | lp.c.repeats_exchange_id.is_not(None)


def repeats_earlier(lp):
    """A learning point repeats earlier learning when it says so, or is tied to the exact earlier point."""
    return (lp.c.repeat != Repeat.NEW.value) | tied_to_earlier(lp)


def _months(period: Period) -> list[tuple[str, date, date]]:
    from dateutil.relativedelta import relativedelta

    out, first = [], date(period.start.year, period.start.month, 1)
    while first <= period.end:
        last = first + relativedelta(months=1, days=-1)
        out.append((first.strftime("%Y-%m"), max(first, period.start), min(last, period.end)))
        first = first + relativedelta(months=1)
    return out


def dissemination(scope: Scope) -> dict:
    """Of the debriefs whose document was first issued in the period, how many recorded dissemination."""
    issued = cohorts.documents_issued(scope).subquery()
    done = (select(LearningDocument.debrief_id).join(Dissemination, Dissemination.document_id == LearningDocument.id))
    # Quick-time learning overdue now (not shared by its deadline) rides on the same query: as for actions
    # overdue, what stands today, for the scope's category and context whatever the period.
    from app.quicktime.services import overdue_count

    n, with_dissemination, quick_overdue = db.session.execute(
        select(func.count(), func.count().filter(issued.c.id.in_(done)),
               overdue_count(scope.debrief_conditions()))).one()
    return {"issued": Figure(n, {"measure": "issued"}),
            "done": _share(with_dissemination, n, {"measure": "issued", "answer": "yes"}),
            "quick_overdue": Figure(quick_overdue, {"measure": "quicktime"})}

