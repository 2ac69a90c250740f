"""The action board's reads: filters kept in the URL, scoped by the permissions module, fixed query count."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload

from app.debriefs.timeliness import today
from app.extensions import db
from app.learning.overdue import AGE_BANDS, age_band_clause, overdue_clause
from app.models import Action, Debrief, Team, Theme, User
from app.permissions import scoped

PAGE_SIZE = 100


@dataclass
class ActionFilters:
    owner: str | None = None  # "me", "user:<id>" or "team:<id>"
    status: str | None = None
    overdue: bool = False
    due_within: int | None = None
    debrief: str | None = None  # a reference, or the start of one
    theme: int | None = None
    department: str | None = None
    age: str | None = None  # an overdue age band: "0-30", "31-90" or "91+"
    view: str | None = None  # "columns", or the list
    page: int | None = None

    def args(self, **changes) -> dict:
        values = {**self.__dict__, **changes}
        return {k: v for k, v in values.items() if v not in (None, "", False) and not (k == "page" and v == 1)}


def filtered(f: ActionFilters, user) -> Select:
    stmt = scoped(select(Action), Action, user)
    if f.owner == "me":
        stmt = stmt.where(Action.owner_user_id == user.id)
    elif f.owner and f.owner.startswith("user:") and f.owner[5:].isdigit():
        stmt = stmt.where(Action.owner_user_id == int(f.owner[5:]))
    elif f.owner and f.owner.startswith("team:") and f.owner[5:].isdigit():
        stmt = stmt.where(Action.owner_team_id == int(f.owner[5:]))
    if f.status:
        stmt = stmt.where(Action.status == f.status)
    if f.overdue:
        stmt = stmt.where(overdue_clause())
    if f.age in {b[0] for b in AGE_BANDS}:
        stmt = stmt.where(age_band_clause(f.age))
    if f.due_within is not None:
        stmt = stmt.where(Action.due_on <= today() + timedelta(days=f.due_within),
                          Action.status.not_in(("completed", "closed", "not_doing")))
    if f.debrief:
        prefix = f.debrief.strip().upper()
        stmt = stmt.where(Action.debrief_id.in_(select(Debrief.id).where(Debrief.reference.startswith(prefix,
                                                                                                      autoescape=True))))
    if f.theme:
        stmt = stmt.where(Action.themes.any(Theme.id == f.theme))
    if f.department:
        stmt = stmt.where(Action.department == f.department)
    return stmt


def _loaded(stmt: Select) -> Select:
    # Owners' roles are not shown: left to load on access, so the count of queries does not depend on
    # whether the page happens to hold an action owned by a person.
    return stmt.options(joinedload(Action.owner_user).joinedload(User.agency),
                        joinedload(Action.owner_user).lazyload(User.role_rows), joinedload(Action.owner_team),
                        joinedload(Action.debrief_row))


def rows(stmt: Select, page: int | None = 1, size: int | None = PAGE_SIZE) -> list[Action]:
    """One page of actions, soonest due first (all of them when `size` is None)."""
    stmt = _loaded(stmt).order_by(Action.due_on, Action.id)
    if size:
        stmt = stmt.limit(size).offset(((page or 1) - 1) * size)
    return list(db.session.scalars(stmt).unique())


def counts(f: ActionFilters, user) -> dict[str, int]:
    """How many actions each status filter would show with the other filters as chosen, how many in all,
    and how many of those are overdue ("overdue"), in one query."""
    base = filtered(ActionFilters(**{**f.__dict__, "status": None}), user).add_columns(
        case((overdue_clause(), 1), else_=0).label("late")).subquery()
    rows = db.session.execute(select(base.c.status, func.count(), func.sum(base.c.late)).group_by(base.c.status)).all()
    by_status = {status: n for status, n, _ in rows}
    return {**by_status, "all": sum(by_status.values()), "overdue": sum(int(late or 0) for _, _, late in rows)}


def owner_choices(user) -> list[tuple[str, str]]:
    visible = scoped(select(Action), Action, user).subquery()
    users = db.session.execute(select(User.id, User.full_name).join(visible, visible.c.owner_user_id == User.id)
                               .distinct().order_by(User.full_name)).all()
    return [(f"user:{i}", n) for i, n in users] + team_choices(user)


def team_choices(user) -> list[tuple[str, str]]:
    visible = scoped(select(Action.owner_team_id), Action, user)
    teams = db.session.execute(select(Team.id, Team.name).where(Team.id.in_(visible)).order_by(Team.name)).all()
    return [(f"team:{i}", n) for i, n in teams]


def department_choices(user) -> list[str]:
    visible = scoped(select(Action.department), Action, user).where(Action.department.is_not(None))
    return list(db.session.scalars(visible.distinct().order_by(Action.department)))


def by_status(stmt: Select, per_column: int = 50) -> dict[str, list[Action]]:
    """The soonest-due `per_column` actions of each status, in one query, for the column view."""
    ranked = stmt.with_only_columns(Action.id, func.row_number().over(
        partition_by=Action.status, order_by=(Action.due_on, Action.id)).label("rn")).subquery()
    chosen = select(Action).where(Action.id.in_(select(ranked.c.id).where(ranked.c.rn <= per_column)))
    columns: dict[str, list[Action]] = {}
    for action in rows(chosen, size=None):
        columns.setdefault(action.status, []).append(action)
    return columns
