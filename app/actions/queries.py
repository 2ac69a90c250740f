"""The action board's reads: filters kept in the URL, scoped by the permissions module, fixed query count."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from app.debriefs.timeliness import today
from app.extensions import db
from app.learning.overdue import overdue_clause
from app.models import Action, Debrief, LearningPoint, Theme
from app.permissions import scoped


@dataclass
class ActionFilters:
    owner: str | None = None  # "me", "user:<id>" or "team:<name>"
    status: str | None = None
    overdue: bool = False
    due_within: int | None = None
    debrief: int | None = None
    theme: int | None = None

    def args(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "", False)}


def filtered(f: ActionFilters, user) -> Select:
    stmt = scoped(select(Action), Action, user)
    if f.owner == "me":
        stmt = stmt.where(Action.owner_user_id == user.id)
    elif f.owner and f.owner.startswith("user:") and f.owner[5:].isdigit():
        stmt = stmt.where(Action.owner_user_id == int(f.owner[5:]))
    elif f.owner and f.owner.startswith("team:"):
        stmt = stmt.where(Action.owner_team == f.owner[5:])
    if f.status:
        stmt = stmt.where(Action.status == f.status)
    if f.overdue:
        stmt = stmt.where(overdue_clause())
    if f.due_within is not None:
        stmt = stmt.where(Action.due_on <= today() + timedelta(days=f.due_within),
                          Action.status.not_in(("closed", "not_doing")))
    if f.debrief:
        stmt = stmt.where(Action.debrief_id == f.debrief)
    if f.theme:
        stmt = stmt.where(Action.learning_point.has(LearningPoint.themes.any(Theme.id == f.theme)))
    return stmt


def rows(stmt: Select) -> list[Action]:
    return list(db.session.scalars(
        stmt.options(joinedload(Action.owner_user), joinedload(Action.debrief_row))
        .order_by(Action.due_on, Action.id)).unique())


def counts(f: ActionFilters, user) -> dict[str, int]:
    """How many actions each status filter would show, with the other filters as chosen."""
    base = filtered(ActionFilters(**{**f.__dict__, "status": None}), user).subquery()
    by_status = dict(db.session.execute(select(base.c.status, func.count()).group_by(base.c.status)).all())
    return {**by_status, "all": sum(by_status.values())}


def owner_choices(user) -> list[tuple[str, str]]:
    from app.models import User

    visible = scoped(select(Action), Action, user).subquery()
    users = db.session.execute(select(User.id, User.full_name).join(visible, visible.c.owner_user_id == User.id)
                               .distinct().order_by(User.full_name)).all()
    teams = db.session.scalars(select(visible.c.owner_team).where(visible.c.owner_team.is_not(None))
                               .distinct().order_by(visible.c.owner_team)).all()
    return [(f"user:{i}", n) for i, n in users] + [(f"team:{t}", t) for t in teams]


def debrief_choices(user) -> list[tuple[int, str]]:
    visible = scoped(select(Action.debrief_id), Action, user)
    return [(d.id, d.reference) for d in db.session.scalars(select(Debrief).where(Debrief.id.in_(visible))
                                                            .order_by(Debrief.reference))]
