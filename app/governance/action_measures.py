"""Actions for the board: open and overdue now (in age bands), and closed on time, closed late or not done in
the period, by owner and by department.

Open and overdue are as they stand today: the board asks what is outstanding, and an action's past status
is not a measure the working group keeps. Closed on time means the owner completed it (or, with no
completion recorded, it was closed) on or before its due date, the latest agreed one after extensions.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from sqlalchemy import and_, case, func, or_, select

from app.disclosure import text_mask_for
from app.extensions import db
from app.governance.cohorts import Scope
from app.governance.measures import Figure
from app.learning.overdue import AGE_BANDS, age_band_clause
from app.models import Action, ActionStatus, Debrief, Team, User

UNFINISHED = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)

COLUMNS = (
    ("open", "Open, not overdue"),
    *((f"overdue:{key}", f"Overdue {label}") for key, label, _, _ in AGE_BANDS),
    ("awaiting", "Completed, awaiting sign-off"),
    ("on_time", "Closed on time"),
    ("late", "Closed late"),
    ("not_doing", "Not doing"),
)


def conditions(scope: Scope, on: date) -> list[tuple[str, object]]:
    """Each column's condition, in the order of COLUMNS. No action meets two of them."""
    p = scope.period
    closed_in = and_(Action.closed_on >= p.start, Action.closed_on <= p.end)
    finished = func.coalesce(Action.completed_on, Action.closed_on)
    closed = Action.status == ActionStatus.CLOSED.value
    return [
        ("open", and_(Action.status.in_(UNFINISHED), Action.due_on >= on)),  # not overdue
        *[(f"overdue:{key}", age_band_clause(key, on)) for key, _, _, _ in AGE_BANDS],
        ("awaiting", Action.status == ActionStatus.COMPLETED.value),
        ("on_time", and_(closed, closed_in, finished <= Action.due_on)),
        ("late", and_(closed, closed_in, finished > Action.due_on)),
        ("not_doing", and_(Action.status == ActionStatus.NOT_DOING.value, closed_in)),
    ]


def column(scope: Scope, on: date):
    """Which column an action falls in (None: not counted in this period)."""
    return case(*[(condition, key) for key, condition in conditions(scope, on)], else_=None)


def cohort(scope: Scope, on: date, key: str, owner: str | None = None, department: str | None = None):
    """The actions behind one cell: column `key`, for one owner ("user:<id>", "team:<id>") or department."""
    col = column(scope, on)
    chosen = col.like("overdue:%") if key == "overdue" else col == key
    stmt = (select(Action.id).join(Debrief, Debrief.id == Action.debrief_id)
            .where(chosen, *scope.debrief_conditions()))
    if owner and owner.startswith("user:") and owner[5:].isdigit():
        stmt = stmt.where(Action.owner_user_id == int(owner[5:]))
    elif owner and owner.startswith("team:") and owner[5:].isdigit():
        stmt = stmt.where(Action.owner_team_id == int(owner[5:]))
    if department is not None:
        stmt = stmt.where(or_(*_departments_shown_as(scope, department)))
    return stmt


def _departments_shown_as(scope: Scope, shown: str) -> list:
    """Departments are free text, so a link carries a department as its reader sees it (masked outside
    the review team: a name typed into a department never reaches a URL). Back to the stored values here."""
    mask = text_mask_for(None)
    stored = db.session.scalars(select(Action.department).join(Debrief, Debrief.id == Action.debrief_id)
                                .where(*scope.debrief_conditions()).distinct()).all()
    chosen = [d for d in stored if d and mask(d) == shown]
    conditions = [Action.department.in_(chosen)] if chosen else []
    if not shown:
        conditions.append(or_(Action.department.is_(None), Action.department == ""))
    return conditions or [Action.id.is_(None)]


@lru_cache(maxsize=32)
def _grid_statement(scope: Scope, on: date):
    """Kept per scope and day: building it costs more than running it."""
    columns = conditions(scope, on)
    assert [key for key, _ in columns] == [key for key, _ in COLUMNS]
    stmt = select(Action.owner_user_id, Action.owner_team_id, Action.department,
                  *[func.count().filter(condition) for _, condition in columns])
    if scope.debrief_conditions():
        stmt = stmt.join(Debrief, Debrief.id == Action.debrief_id).where(*scope.debrief_conditions())
    return stmt.group_by(Action.owner_user_id, Action.owner_team_id, Action.department)


def by_owner_and_department(scope: Scope, on: date) -> dict:
    # One pass over the actions: each column's count per owner and department (the covering index
    # ix_action_dashboard holds every column read, in the grouping's order); both tables are sums of these.
    keys = [key for key, _ in COLUMNS]
    cells = [(u, t, d or "", dict(zip(keys, counts, strict=True)))
             for u, t, d, *counts in db.session.execute(_grid_statement(scope, on)).all() if any(counts)]
    user_ids = {u for u, _, _, _ in cells if u}
    team_ids = {t for _, t, _, _ in cells if t}
    # Always asked, even for no one, so the page's queries do not depend on the data.
    users = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids))).all())
    teams = dict(db.session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids))).all())

    def table(keyed: dict[tuple[str, str], dict[str, int]], arg: str) -> list[dict]:
        rows = []
        for (key, label), counts in keyed.items():
            cells = {c: Figure(counts.get(c, 0), {"measure": "actions", "column": c, arg: key}) for c, _ in COLUMNS}
            rows.append({"label": label, "key": key, "cells": cells, "total": sum(counts.values())})
        rows.sort(key=lambda r: (-sum(r["cells"][c].value for c, _ in COLUMNS if c.startswith("overdue")),
                                 -r["total"], r["label"].casefold()))
        return rows

    def add(into: dict, key, counts: dict[str, int]) -> None:
        found = into.setdefault(key, {})
        for k, n in counts.items():
            found[k] = found.get(k, 0) + n

    by_owner: dict = {}
    by_department: dict = {}
    totals: dict[str, int] = {}
    mask = text_mask_for(None)
    for user_id, team_id, department, counts in cells:
        add(by_owner, (f"user:{user_id}", users.get(user_id, "?")) if user_id
            else (f"team:{team_id}", teams.get(team_id, "?")), counts)
        shown = mask(department) if department else ""
        add(by_department, (shown, shown or "No department"), counts)
        add(totals, None, counts)
    totals = totals.get(None, {})
    return {"owners": table(by_owner, "owner"), "departments": table(by_department, "department"),
            "totals": {c: Figure(totals.get(c, 0), {"measure": "actions", "column": c}) for c, _ in COLUMNS}}
