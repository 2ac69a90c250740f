"""The one place that answers "may this user do this?".

Every route carries `@policy(...)`; a test walks `app.url_map` and fails on any
route without one. Object access goes through `get_or_404` and lists through
`scoped`, which share the same per-model rules, so a hidden object answers 404
and never shows up in a list or a count.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import NoReturn

from flask import abort, redirect, request
from flask_login import current_user
from sqlalchemy import Select, false, select

from app import audit
from app.extensions import db, login_manager
from app.htmx import is_htmx, redirect_client
from app.models import Action, AuditEvent, Debrief, DebriefParticipant, Role, User


@dataclass(frozen=True)
class Policy:
    public: bool
    roles: frozenset[Role]  # empty: any signed-in user
    allow_password_change_pending: bool = False

    def describe(self) -> str:
        if self.public:
            return "public"
        return ", ".join(sorted(r.value for r in self.roles)) or "any signed-in user"


def policy(*roles: Role, public: bool = False, during_password_change: bool = False):
    """Declare who may use a route.

    `@policy()` any signed-in user; `@policy(Role.ADMIN)` only admins (any of the
    roles listed); `@policy(public=True)` anyone, signed in or not.
    """
    if public and roles:
        raise ValueError("a public route takes no roles")
    declared = Policy(public=public, roles=frozenset(Role(r) for r in roles),
                      allow_password_change_pending=during_password_change)

    def decorate(view: Callable):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not declared.public:
                if not current_user.is_authenticated:
                    return login_manager.unauthorized()
                if not declared.allow_password_change_pending:
                    from app.auth.sessions import unfinished_sign_in

                    target = unfinished_sign_in(current_user)
                    if target:
                        return redirect_client(target) if is_htmx() else redirect(target)
                if declared.roles and not current_user.has_role(*declared.roles):
                    deny("route", request.endpoint)
            return view(*args, **kwargs)

        guarded._policy = declared  # read by the route inventory test
        return guarded

    return decorate


def deny(object_type: str, object_id) -> NoReturn:
    """Refuse with 403, and record the attempt in the audit log."""
    audit.log_security("access.denied", object_type=object_type, object_id=object_id)
    abort(403)


def policy_of(view: Callable) -> Policy | None:
    return getattr(view, "_policy", None)


# ---- object scoping -------------------------------------------------------------

def _scope_users(stmt: Select, user) -> Select:
    if user.has_role(Role.ADMIN):
        return stmt
    return stmt.where(User.id == user.id)


def _scope_audit(stmt: Select, user) -> Select:
    return stmt if user.has_role(Role.AUDITOR) else stmt.where(false())


# Who sees which debriefs (domain brief §2): the review team, the working group and the
# board see all of them (the last two without names); members and partners only the
# debriefs they take part in.
SEE_ALL_DEBRIEFS = (Role.REVIEWER, Role.WORKING_GROUP, Role.BOARD)
SEE_OWN_DEBRIEFS = (Role.MEMBER, Role.PARTNER)
BOARD_ROLES = SEE_ALL_DEBRIEFS + SEE_OWN_DEBRIEFS
# Case material (chronology, meeting): the review team and those taking part; not the board or working group.
CASE_READERS = (Role.REVIEWER, *SEE_OWN_DEBRIEFS)


def _scope_debriefs(stmt: Select, user) -> Select:
    if user.has_role(*SEE_ALL_DEBRIEFS):
        return stmt
    if user.has_role(*SEE_OWN_DEBRIEFS):
        return stmt.where(Debrief.participants.any(DebriefParticipant.user_id == user.id))
    return stmt.where(false())


def _scope_actions(stmt: Select, user) -> Select:
    """The review team, working group and board see every action; everyone else the actions they own."""
    if user.has_role(*SEE_ALL_DEBRIEFS):
        return stmt
    return stmt.where(Action.owner_user_id == user.id)


_SCOPES: dict[type, Callable[[Select, object], Select]] = {
    User: _scope_users,
    AuditEvent: _scope_audit,
    Debrief: _scope_debriefs,
    Action: _scope_actions,
}


def may_run_debriefs(user=None) -> bool:
    """Create referrals, move cards, edit: the review team only (and, on a page a reviewer is viewing as
    someone else, nobody: the preview shows no controls)."""
    if user is None:
        from app.disclosure import viewing_as

        if viewing_as():
            return False
        user = current_user
    return user.has_role(Role.REVIEWER)


def sees_case_text(user=None) -> bool:
    """Real names of case subjects: the review team only, and not while a reviewer views a page as someone
    else. This chooses presentation; the protection is the gate in app.disclosure."""
    from app.disclosure import reads_names

    return reads_names(user)


def scoped(stmt: Select, model: type, user=None) -> Select:
    """Restrict a select over `model` to the rows `user` may see."""
    user = user if user is not None else current_user
    try:
        rule = _SCOPES[model]
    except KeyError as exc:
        raise LookupError(f"no visibility rule for {model.__name__}") from exc
    return rule(stmt, user)


def get_or_404(model: type, object_id, user=None):
    """Load one object the user may see, or answer 404 (and log the attempt)."""
    user = user if user is not None else current_user
    stmt = scoped(select(model).where(model.id == object_id), model, user)
    obj = db.session.scalars(stmt).first()
    if obj is None:
        audit.log_security("access.not_found", object_type=model.__tablename__, object_id=object_id)
        abort(404)
    case = getattr(obj, "debrief_id", None) if model is not Debrief else obj.id
    if case is not None:
        from app.disclosure import set_context

        set_context(case)
    return obj


# ---- one action: who may do what (domain brief §2 and §4) -------------------------
# The owner moves the work along (status, progress, evidence, asking for more time); what is to be done,
# by whom and by when belong to the review team; sign-off and extensions to the working group, never
# to the owner of the action in question.

def owns(action: Action, user=None) -> bool:
    user = user if user is not None else current_user
    return action.owner_user_id is not None and action.owner_user_id == user.id


def may_update_action(action: Action, user=None) -> bool:
    """Status, dated progress, evidence: the owner, or the review team on behalf of a team without a login."""
    user = user if user is not None else current_user
    return owns(action, user) or user.has_role(Role.REVIEWER)


def may_edit_action(user=None) -> bool:
    """What, owner, due date, priority, scope and the rest of the plan: the review team only."""
    return may_run_debriefs(user)


def may_sign_off(action: Action, user=None) -> bool:
    """Sign off, send back, decide an extension: the working group, but not on an action they own."""
    user = user if user is not None else current_user
    return user.has_role(Role.WORKING_GROUP) and not owns(action, user)


def may_decide_extension(action: Action, extension, user=None) -> bool:
    """Approve or refuse more time: the working group, not on their own action nor a request they made."""
    user = user if user is not None else current_user
    return may_sign_off(action, user) and extension.requested_by_id != user.id


def may_govern_action(user=None) -> bool:
    """Not doing, reopening, effectiveness review and partner follow-up: the review team or working group."""
    user = user if user is not None else current_user
    return user.has_role(Role.REVIEWER, Role.WORKING_GROUP)


# ---- partners and the confidentiality terms (domain brief §4, the debrief meeting) --------------

def must_acknowledge_first(debrief_id: int, user=None) -> bool:
    """A partner sees a debrief's case material only once they have acknowledged the confidentiality terms of its
    meeting (themselves, or a reviewer on their behalf). True for a partner taking part in the debrief who has
    not; False for everyone else, including a partner the debrief is not shared with (its pages answer 404).
    One query; `app.meetings.confidentiality` applies it to every route under a debrief."""
    from app.models import Invitee, Meeting

    user = user if user is not None else current_user
    if not user.has_role(Role.PARTNER) or user.has_role(*SEE_ALL_DEBRIEFS):
        return False
    acked = (select(Invitee.id).join(Meeting, Meeting.id == Invitee.meeting_id)
             .where(Meeting.debrief_id == debrief_id, Invitee.user_id == user.id,
                    Invitee.confidentiality_ack_at.is_not(None)))
    taking_part = select(DebriefParticipant.user_id).where(DebriefParticipant.debrief_id == debrief_id,
                                                           DebriefParticipant.user_id == user.id)
    taking, acknowledged = db.session.execute(select(taking_part.exists(), acked.exists())).one()
    return bool(taking) and not bool(acknowledged)
