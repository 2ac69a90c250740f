"""Quick-time learning (domain brief §4): recorded at any stage, given to an owner to share with an audience by
a deadline, its sharing recorded like a dissemination of the document. Each function that writes owns its
transaction, audits in it, and tells the owner by email only after it commits (`app.notices`).

"Overdue" is derived, never stored: not shared, and the deadline (`share_by`, a UTC moment) has passed.
Every deadline is measured against `now()`, the one clock here, which tests replace.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from app import audit, notices, process_settings
from app.extensions import db
from app.numbering import next_number
from app.models import Debrief, DebriefParticipant, QuickLearning, Role, User, UserRole
from app.models.types import utcnow
from app.permissions import scoped
from app.versioning import StaleEdit, check

FIELDS = ("urgency", "statement", "audience", "owner_user_id", "share_by")
SHARE_FIELDS = ("shared_on", "shared_method", "shared_audience", "shared_by")
LONGEST = timedelta(days=30)  # quick-time learning is shared within days; a later deadline is the document's job

__all__ = ["StaleEdit", "for_debrief", "record", "update", "record_sharing", "overdue_for"]


def now() -> datetime:
    """The clock every deadline is measured against."""
    return utcnow()


def hours_to_share() -> int:
    """How long a reviewer is offered to share it in (process setting, default 48 hours)."""
    return int(process_settings.get("quick_time_hours"))


def default_share_by(at: datetime | None = None) -> datetime:
    """Now plus the configured hours, to the minute."""
    return ((at or now()) + timedelta(hours=hours_to_share())).replace(second=0, microsecond=0)


# ---- reads ------------------------------------------------------------------------------------------------

def for_debrief(debrief: Debrief) -> list[QuickLearning]:
    """A debrief's quick-time learning, Q1 first, with owners (for the document of learning, and the list)."""
    return list(db.session.scalars(
        select(QuickLearning).where(QuickLearning.debrief_id == debrief.id)
        .options(joinedload(QuickLearning.owner)).order_by(QuickLearning.number)))


def get(debrief: Debrief, number: int) -> QuickLearning | None:
    return db.session.scalar(select(QuickLearning).where(QuickLearning.debrief_id == debrief.id,
                                                         QuickLearning.number == number))


def overdue_clause(at: datetime):
    return and_(QuickLearning.shared_on.is_(None), QuickLearning.share_by < at)


def is_overdue(item: QuickLearning, at: datetime | None = None) -> bool:
    return item.shared_on is None and item.share_by < (at or now())


def overdue_for(user, at: datetime | None = None) -> list[QuickLearning]:
    """Overdue quick-time learning the user owns, or on a debrief they lead, among the debriefs they may see:
    one query, soonest deadline first."""
    visible = scoped(select(Debrief.id), Debrief, user)
    stmt = (select(QuickLearning).join(Debrief, Debrief.id == QuickLearning.debrief_id)
            .where(overdue_clause(at or now()), QuickLearning.debrief_id.in_(visible),
                   or_(QuickLearning.owner_user_id == user.id, Debrief.lead_reviewer_id == user.id))
            .options(joinedload(QuickLearning.owner), joinedload(QuickLearning.debrief))
            .order_by(QuickLearning.share_by, QuickLearning.id))
    return list(db.session.scalars(stmt))


def overdue_count(conditions=(), at: datetime | None = None):
    """How many are overdue now, on debriefs meeting `conditions`: a scalar subquery, so a page that already
    asks the database something can ask this in the same query."""
    return (select(func.count(QuickLearning.id)).join(Debrief, Debrief.id == QuickLearning.debrief_id)
            .where(overdue_clause(at or now()), *conditions).scalar_subquery())


def overdue_by_debrief(conditions=(), at: datetime | None = None):
    """The debriefs with overdue quick-time learning (id) and how many each (value), for a dashboard list."""
    return (select(QuickLearning.debrief_id.label("id"), func.count().label("value"))
            .join(Debrief, Debrief.id == QuickLearning.debrief_id)
            .where(overdue_clause(at or now()), *conditions).group_by(QuickLearning.debrief_id))


def possible_owners(debrief: Debrief) -> list[User]:
    """Who may be given quick-time learning to share: the review team and the working group (who see every
    debrief) and members and partners taking part in this one, so the link in their email opens for them.
    Not the board, which reads only, nor administrators or auditors."""
    def holds(*roles: Role):
        return User.role_rows.any(UserRole.role.in_([r.value for r in roles]))

    taking_part = select(DebriefParticipant.user_id).where(DebriefParticipant.debrief_id == debrief.id,
                                                          DebriefParticipant.user_id == User.id).exists()
    return list(db.session.scalars(
        select(User).where(User.active, or_(holds(Role.REVIEWER, Role.WORKING_GROUP),
                                            and_(holds(Role.MEMBER, Role.PARTNER), taking_part)))
        .order_by(User.full_name)))


# ---- writes -----------------------------------------------------------------------------------------------

def record(debrief: Debrief, data: dict, actor) -> tuple[QuickLearning, str | None]:
    """Record urgent learning; returns it and how its owner was told (None: the owner recorded it)."""
    item = QuickLearning(debrief_id=debrief.id, number=next_number(QuickLearning, debrief.id), created_at=now(),
                         created_by_id=actor.id if actor else None, **{k: data[k] for k in FIELDS})
    db.session.add(item)
    db.session.flush()
    audit.collection("quick_learning", item.id, FIELDS)
    db.session.commit()
    return item, _tell_owner(item, debrief, actor)


def update(item: QuickLearning, data: dict, version: int, actor) -> tuple[list[str], str | None]:
    """The review team's edit; a stale version raises StaleEdit. Returns the fields changed and, when the owner
    changed, how the new owner was told."""
    check(item, version)
    changed = [k for k in FIELDS if getattr(item, k) != data[k]]
    if not changed:
        return [], None
    for k in changed:
        setattr(item, k, data[k])
    item.version += 1
    audit.alteration("quick_learning", item.id, changed)
    db.session.commit()
    told = _tell_owner(item, db.session.get(Debrief, item.debrief_id), actor) if "owner_user_id" in changed else None
    return changed, told


def record_sharing(item: QuickLearning, data: dict, version: int, actor) -> None:
    """How, with whom, when and by whom it was shared (like a dissemination of the document)."""
    check(item, version)
    item.shared_on, item.shared_method = data["shared_on"], data["shared_method"]
    item.shared_audience, item.shared_by = data["shared_audience"].strip(), data["shared_by"].strip()
    item.shared_recorded_at = now()
    item.version += 1
    audit.alteration("quick_learning", item.id, SHARE_FIELDS, action="quick_learning.share")
    db.session.commit()


def _tell_owner(item: QuickLearning, debrief: Debrief, actor) -> str | None:
    """Email the owner the reference, the Q-number, the deadline and a link: nothing else."""
    if actor is not None and item.owner_user_id == actor.id:
        return None
    owner = db.session.get(User, item.owner_user_id)
    if owner is None or not owner.active:
        return notices.NO_ADDRESS
    from app.debriefs.timeliness import LONDON

    deadline = item.share_by.astimezone(LONDON)
    link = f"{current_app.config['BASE_URL']}/debriefs/{debrief.id}/quick-time#q-{item.number}"
    return notices.send(
        owner.email, f"Quick-time learning {debrief.reference} {item.label} to share",
        f"You have been given quick-time learning {item.label} of debrief {debrief.reference} to share. "
        f"Share it by {deadline:%H:%M on %A} {deadline.day} {deadline:%B %Y} (UK time) and record how it was "
        f"shared on its page.\n\n{link}",
        object_type="quick_learning", object_id=item.id, action="quick_learning.notice", debrief_id=debrief.id)
