"""Retention review, legal holds and disposal: the rules, each in its own short transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from app import audit
from app.extensions import db
from app.models import (
    Action,
    ActionStatus,
    Debrief,
    Decision,
    Disposal,
    LegalHold,
    Retention,
    RetentionCategory,
    RetentionReview,
    ReviewDecision,
    Role,
    User,
    utcnow,
)
from app.versioning import StaleEdit


class Refused(Exception):
    """A rule of records management says no; the message says which, in the user's words."""


DUE_SOON_DAYS = 30
UNFINISHED = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value, ActionStatus.COMPLETED.value)


# ---- categories and review dates --------------------------------------------------------------------------

def default_category(debrief: Debrief) -> RetentionCategory | None:
    kind = "declined" if debrief.decision == Decision.DECLINED.value else debrief.category
    return db.session.scalar(sa.select(RetentionCategory).where(RetentionCategory.default_for == kind))


def start(debrief: Debrief) -> None:
    """Give a new debrief its category and first review date (in the caller's transaction)."""
    category = default_category(debrief)
    if category is not None:
        db.session.add(Retention(debrief_id=debrief.id, category_id=category.id,
                                 review_on=debrief.dmm_date + relativedelta(years=category.review_years)))


def after_decision(debrief: Debrief) -> None:
    """A declined referral moves to the not-progressed category, unless someone already chose one."""
    retention = debrief.retention
    if retention is None or retention.disposed_at is not None or _reviews(debrief.id):
        return
    category = default_category(debrief)
    if category is not None and category.id != retention.category_id and retention.category.default_for:
        retention.category_id = category.id
        retention.review_on = debrief.dmm_date + relativedelta(years=category.review_years)
        retention.version += 1


def categories(active_only: bool = True) -> list[RetentionCategory]:
    stmt = sa.select(RetentionCategory).order_by(RetentionCategory.id)
    if active_only:
        stmt = stmt.where(RetentionCategory.active.is_(True))
    return list(db.session.scalars(stmt))


def set_category(debrief: Debrief, category_id: int, version: int, actor: User) -> None:
    retention = _retention(debrief, version)
    category = db.session.get(RetentionCategory, category_id)
    if category is None or not category.active:
        raise Refused("Choose one of the retention categories.")
    if category.id == retention.category_id:
        return
    last = _reviews(debrief.id)
    since = last[0].reviewed_at.date() if last else debrief.dmm_date
    retention.category_id = category.id
    retention.review_on = since + relativedelta(years=category.review_years)
    retention.version += 1
    audit.alteration("retention", debrief.id, ["category_id", "review_on"], action="retention.categorise")
    db.session.commit()


def _retention(debrief: Debrief, version: int | None) -> Retention:
    retention = debrief.retention
    if retention is None:
        raise Refused("This debrief has no retention category yet.")
    if retention.disposed_at is not None:
        raise Refused("This debrief's personal data has been disposed of.")
    if version is not None and retention.version != version:
        raise StaleEdit(retention)
    return retention


def _reviews(debrief_id: int) -> list[RetentionReview]:
    return list(db.session.scalars(sa.select(RetentionReview).where(RetentionReview.debrief_id == debrief_id)
                                   .order_by(RetentionReview.reviewed_at.desc(), RetentionReview.id.desc())))


def reviews(debrief_id: int) -> list[RetentionReview]:
    return _reviews(debrief_id)


def record_review(debrief: Debrief, decision: str, rationale: str, next_review_on: date | None, version: int,
                  actor: User, today: date) -> Disposal | None:
    """Retain (with a rationale and the next review date) or dispose (which proposes disposal)."""
    retention = _retention(debrief, version)
    if decision == ReviewDecision.DISPOSE.value:
        _may_propose(debrief)
    elif next_review_on is None or next_review_on <= today:
        raise Refused("Give the date of the next review, after today.")
    review = RetentionReview(debrief_id=debrief.id, reviewer_id=actor.id, decision=decision, rationale=rationale,
                             next_review_on=next_review_on if decision == ReviewDecision.RETAIN.value else None)
    db.session.add(review)
    disposal = None
    if decision == ReviewDecision.RETAIN.value:
        retention.review_on = next_review_on
        retention.version += 1
    else:
        disposal = Disposal(debrief_id=debrief.id, rationale=rationale, proposed_by_id=actor.id)
        db.session.add(disposal)
    db.session.flush()
    audit.collection("retention_review", review.id, ["decision", "rationale", "next_review_on"],
                     action=f"retention.{decision}")
    if disposal is not None:
        audit.collection("disposal", disposal.id, ["rationale"], action="disposal.propose")
    db.session.commit()
    return disposal


# ---- legal holds ---------------------------------------------------------------------------------------

def holds_in_force(debrief_id: int) -> list[LegalHold]:
    return list(db.session.scalars(sa.select(LegalHold).where(LegalHold.debrief_id == debrief_id,
                                                              LegalHold.released_at.is_(None))
                                   .order_by(LegalHold.placed_at)))


def holds(debrief_id: int) -> list[LegalHold]:
    return list(db.session.scalars(sa.select(LegalHold).where(LegalHold.debrief_id == debrief_id)
                                   .order_by(LegalHold.placed_at.desc())))


def place_hold(debrief: Debrief, reason: str, detail: str | None, until: date | None, actor: User) -> LegalHold:
    _retention(debrief, None)
    hold = LegalHold(debrief_id=debrief.id, reason=reason, detail=detail or None, until=until, placed_by_id=actor.id)
    db.session.add(hold)
    # A pending disposal cannot go ahead under a hold: it is withdrawn, and says why.
    for disposal in pending_disposals(debrief.id):
        disposal.withdrawn_at, disposal.withdrawn_by_id = utcnow(), actor.id
        audit.alteration("disposal", disposal.id, ["withdrawn_at"], action="disposal.withdraw")
    db.session.flush()
    audit.collection("legal_hold", hold.id, [f for f, v in (("reason", reason), ("detail", detail), ("until", until))
                                             if v], action="legal_hold.place")
    db.session.commit()
    return hold


def release_hold(hold: LegalHold, note: str, actor: User) -> None:
    if hold.released_at is not None:
        raise Refused("This hold has already been released.")
    hold.released_at, hold.released_by_id, hold.release_note = utcnow(), actor.id, note
    audit.alteration("legal_hold", hold.id, ["released_at", "release_note"], action="legal_hold.release")
    db.session.commit()


# ---- disposal ------------------------------------------------------------------------------------------

def pending_disposals(debrief_id: int) -> list[Disposal]:
    return list(db.session.scalars(sa.select(Disposal).where(Disposal.debrief_id == debrief_id,
                                                             Disposal.waiting())))


def disposals(debrief_id: int) -> list[Disposal]:
    return list(db.session.scalars(sa.select(Disposal).where(Disposal.debrief_id == debrief_id)
                                   .order_by(Disposal.proposed_at.desc())))


def unfinished_actions(debrief_id: int) -> int:
    """Actions still being worked or awaiting sign-off: a disposed record is closed, so these must end first."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Action).where(
        Action.debrief_id == debrief_id, Action.status.in_(UNFINISHED)))


def _no_unfinished_actions(debrief: Debrief) -> None:
    n = unfinished_actions(debrief.id)
    if n:
        raise Refused(f"{n} action{'s are' if n != 1 else ' is'} not finished (open, in progress or awaiting "
                      "sign-off). Disposal closes the record for good, so close each action or mark it not "
                      "doing first.")


def _may_propose(debrief: Debrief) -> None:
    if holds_in_force(debrief.id):
        raise Refused("A legal hold is in force: release it before proposing disposal.")
    _no_unfinished_actions(debrief)
    if pending_disposals(debrief.id):
        raise Refused("Disposal has already been proposed and waits for a second person to confirm it.")


def withdraw(disposal: Disposal, actor: User) -> None:
    if not disposal.pending:
        raise Refused("This proposal is no longer waiting.")
    disposal.withdrawn_at, disposal.withdrawn_by_id = utcnow(), actor.id
    audit.alteration("disposal", disposal.id, ["withdrawn_at"], action="disposal.withdraw")
    db.session.commit()


def may_confirm(disposal: Disposal, user: User) -> bool:
    return (disposal.pending and user.id != disposal.proposed_by_id
            and user.has_role(Role.REVIEWER, Role.ADMIN))


def confirm(disposal: Disposal, typed_reference: str, actor: User) -> dict[str, int]:
    """The second person's confirmation: erase now, irreversibly (`app.records.erase`)."""
    from app.records.erase import erase

    debrief = db.session.get(Debrief, disposal.debrief_id)
    if not disposal.pending:
        raise Refused("This proposal is no longer waiting.")
    if actor.id == disposal.proposed_by_id:
        raise Refused("Disposal needs a second person: someone other than who proposed it must confirm.")
    if not actor.has_role(Role.REVIEWER, Role.ADMIN):
        raise Refused("Only a reviewer or an administrator can confirm disposal.")
    if holds_in_force(debrief.id):
        raise Refused("A legal hold is in force: disposal cannot go ahead.")
    _no_unfinished_actions(debrief)
    if (typed_reference or "").strip().upper() != debrief.reference.upper():
        raise Refused(f"Type the reference {debrief.reference} to confirm.")
    retention = _retention(debrief, None)
    counts = erase(debrief)
    retention = db.session.get(Retention, debrief.id)
    disposal = db.session.get(Disposal, disposal.id)
    disposal.confirmed_at, disposal.confirmed_by_id = utcnow(), actor.id
    disposal.erased = "; ".join(f"{k}={n}" for k, n in sorted(counts.items()))
    retention.disposed_at = utcnow()
    retention.version += 1
    audit.alteration("disposal", disposal.id, ["confirmed_at", "erased"], action="disposal.confirm")
    db.session.commit()
    return counts


# ---- the queue -----------------------------------------------------------------------------------------

@dataclass
class QueueRow:
    debrief_id: int
    reference: str
    title: str
    category: str
    review_on: date | None
    overdue: bool
    holds: int
    disposal: Disposal | None


SHOW = (("due", "Due or overdue for review"), ("soon", f"Due within {DUE_SOON_DAYS} days"),
        ("disposal", "Disposal awaiting confirmation"), ("holds", "Under a legal hold"),
        ("uncategorised", "No retention category"), ("disposed", "Disposed of"))


def queue(show: str, today: date, limit: int = 500) -> list[QueueRow]:
    holds_n = (sa.select(sa.func.count()).where(LegalHold.debrief_id == Debrief.id, LegalHold.released_at.is_(None))
               .correlate(Debrief).scalar_subquery())
    pending = sa.exists().where(Disposal.debrief_id == Debrief.id, Disposal.waiting())
    stmt = (sa.select(Debrief.id, Debrief.reference, Debrief.title, RetentionCategory.name, Retention.review_on,
                      holds_n.label("holds"))
            .outerjoin(Retention, Retention.debrief_id == Debrief.id)
            .outerjoin(RetentionCategory, RetentionCategory.id == Retention.category_id))
    live = Retention.disposed_at.is_(None)
    if show == "due":
        stmt = stmt.where(live, Retention.review_on <= today)
    elif show == "soon":
        stmt = stmt.where(live, Retention.review_on > today, Retention.review_on <= today + relativedelta(days=DUE_SOON_DAYS))
    elif show == "disposal":
        stmt = stmt.where(pending)
    elif show == "holds":
        stmt = stmt.where(holds_n > 0)
    elif show == "uncategorised":
        stmt = stmt.where(Retention.debrief_id.is_(None))
    elif show == "disposed":
        stmt = stmt.where(Retention.disposed_at.is_not(None))
    rows = db.session.execute(stmt.order_by(Retention.review_on, Debrief.reference).limit(limit)).all()
    ids = [r.id for r in rows]
    waiting = {d.debrief_id: d for d in db.session.scalars(
        sa.select(Disposal).where(Disposal.debrief_id.in_(ids), Disposal.waiting()))}
    return [QueueRow(r.id, r.reference, r.title, r.name or "—", r.review_on,
                     bool(r.review_on and r.review_on <= today), r.holds, waiting.get(r.id)) for r in rows]


def counts(today: date) -> dict[str, int]:
    """How many debriefs each view of the queue holds (for its tabs and the home page)."""
    live = Retention.disposed_at.is_(None)
    pending = sa.exists().where(Disposal.debrief_id == Retention.debrief_id, Disposal.waiting())
    held = LegalHold.in_force(Retention.debrief_id)
    row = db.session.execute(sa.select(
        sa.func.count().filter(live, Retention.review_on <= today),
        sa.func.count().filter(live, Retention.review_on > today,
                               Retention.review_on <= today + relativedelta(days=DUE_SOON_DAYS)),
        sa.func.count().filter(pending), sa.func.count().filter(held),
        sa.func.count().filter(Retention.disposed_at.is_not(None)))).one()
    uncategorised = db.session.scalar(sa.select(sa.func.count()).select_from(Debrief).where(
        ~sa.exists().where(Retention.debrief_id == Debrief.id)))
    return dict(zip(("due", "soon", "disposal", "holds", "disposed"), row, strict=True)) | {"uncategorised": uncategorised}
