"""Account administration. Each function owns its transaction and its audit rows."""
from __future__ import annotations

from sqlalchemy import func, select

from app import audit
from app.auth import passwords, sessions, throttle
from app.extensions import db
from app.versioning import StaleEdit
from app.models import Agency, LoginThrottle, Role, User, UserRole, utcnow


class AccountError(ValueError):
    """A change the rules do not allow, with a message for the form."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _agency_or_none(agency_id: int | None) -> Agency | None:
    if not agency_id:
        return None
    agency = db.session.get(Agency, agency_id)
    if agency is None or not agency.active:
        raise AccountError("agency_id", "Choose an agency from the list.")
    return agency


def _check_partner(roles: set[Role], agency: Agency | None) -> None:
    if Role.PARTNER in roles and agency is None:
        raise AccountError("agency_id", "Partner agency staff must belong to an agency.")


def username_taken(username: str) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(User).where(func.lower(User.username) == username.casefold())
    ) > 0


def create_user(*, username: str, full_name: str, email: str | None, roles, password: str,
                agency_id: int | None = None, must_change_password: bool = True, actor: User | None = None) -> User:
    username = username.strip().lower()
    if username_taken(username):
        raise AccountError("username", "That username is already in use.")
    problems = passwords.policy_problems(password, username, full_name)
    if problems:
        raise AccountError("new_password", " ".join(problems))
    role_set = {Role(r) for r in roles}
    if not role_set:
        raise AccountError("roles", "Choose at least one role.")
    agency = _agency_or_none(agency_id)
    _check_partner(role_set, agency)
    user = User(username=username, full_name=full_name.strip(), email=(email or "").strip() or None,
                agency=agency, password_hash=passwords.hash_password(password),
                must_change_password=must_change_password)
    user.set_roles(role_set)
    db.session.add(user)
    db.session.flush()
    audit.collection("user_account", user.id, ["username", "full_name", "email", "agency_id", "roles",
                                               "password_hash"], user=actor)
    db.session.commit()
    return user


def _active_admins_other_than(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).join(UserRole)
        .where(UserRole.role == Role.ADMIN.value, User.active, User.id != user.id)
    )


def update_user(user: User, *, version: int, full_name: str, email: str | None, roles, agency_id: int | None,
                actor: User) -> list[str]:
    """Apply an admin's edit; returns the names of the fields that changed."""
    if user.version != version:
        raise StaleEdit(user)
    role_set = {Role(r) for r in roles}
    if not role_set:
        raise AccountError("roles", "Choose at least one role.")
    agency = _agency_or_none(agency_id)
    _check_partner(role_set, agency)
    if Role.ADMIN in user.roles and Role.ADMIN not in role_set:
        if user.id == actor.id:
            raise AccountError("roles", "You cannot remove your own administrator role.")
        if _active_admins_other_than(user) == 0:
            raise AccountError("roles", "This is the last active administrator.")
    changed = []
    new_email = (email or "").strip() or None
    if user.full_name != full_name.strip():
        user.full_name = full_name.strip()
        changed.append("full_name")
    if user.email != new_email:
        user.email = new_email
        changed.append("email")
    if user.agency_id != (agency.id if agency else None):
        user.agency = agency
        changed.append("agency_id")
    if user.roles != frozenset(role_set):
        user.set_roles(role_set)
        changed.append("roles")
        # New permissions apply at once; a role taken away must not linger in open sessions.
        keep = sessions.current_session() if user.id == actor.id else None
        sessions.revoke_all(user, "roles_changed", keep=keep)
    if changed:
        user.version += 1  # the version counter also moves for role-only changes
        audit.alteration("user_account", user.id, changed, user=actor)
        db.session.commit()
    return changed


def set_active(user: User, active: bool, actor: User) -> None:
    if user.active == active:
        return
    if not active:
        if user.id == actor.id:
            raise AccountError(None, "You cannot disable your own account.")
        if Role.ADMIN in user.roles and _active_admins_other_than(user) == 0:
            raise AccountError(None, "This is the last active administrator.")
        sessions.revoke_all(user, "account_disabled")
    user.active = active
    audit.alteration("user_account", user.id, ["active"],
                     action="user.enable" if active else "user.disable", user=actor)
    db.session.commit()


def reset_password(user: User, password: str, actor: User | None, temporary: bool = True) -> None:
    """A new password set for someone (by an administrator, or by force IT with `flask set-password`, when
    `actor` is None): their sessions end and any sign-in lock is lifted."""
    problems = passwords.policy_problems(password, user.username, user.full_name)
    if problems:
        raise AccountError("new_password", " ".join(problems))
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = temporary
    sessions.revoke_all(user, "password_reset")
    throttle.clear(throttle.account_key(user.username))
    audit.alteration("user_account", user.id, ["password_hash", "must_change_password"],
                     action="user.password_reset", user=actor)
    db.session.commit()


def reset_two_factor(user: User, actor: User | None) -> None:
    """A lost phone: forget the key and recovery codes and end the person's sessions (an administrator, or
    force IT with `flask reset-2fa`)."""
    from app.auth import two_factor

    sessions.revoke_all(user, "two_factor_reset")
    two_factor.disable(user, actor, action="two_factor.reset")


def unlock(user: User, enable: bool = False) -> list[str]:
    """Force IT's `flask unlock-user`: lift a sign-in lock, and re-enable a disabled account if asked.
    Returns what was done."""
    done = []
    row = db.session.get(LoginThrottle, throttle.account_key(user.username))
    if row is not None and (row.failures or row.locked_until):
        throttle.clear(row.key)
        done.append("sign-in lock lifted")
    if enable and not user.active:
        user.active = True
        done.append("account enabled")
    audit.security("user.unlock", object_type="user_account", object_id=user.id, user=None,
                   reason="; ".join(done) or "nothing to undo")
    db.session.commit()
    return done


def end_sessions(user: User, actor: User) -> int:
    count = sessions.revoke_all(user, "revoked_by_admin")
    audit.security("session.revoke_all", object_type="user_account", object_id=user.id, user=actor)
    db.session.commit()
    return count


def list_users_stmt(q: str | None, role: str | None, status: str | None):
    stmt = select(User).order_by(func.lower(User.full_name))
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(func.lower(User.full_name).like(like) | func.lower(User.username).like(like))
    if role:
        stmt = stmt.where(User.role_rows.any(UserRole.role == role))
    if status == "active":
        stmt = stmt.where(User.active)
    elif status == "disabled":
        stmt = stmt.where(~User.active)
    return stmt


# ---- reference lists (agencies, themes) ---------------------------------------------

def _name_taken(model, name: str, except_id: int | None = None) -> bool:
    stmt = select(func.count()).select_from(model).where(func.lower(model.name) == name.strip().lower())
    if except_id:
        stmt = stmt.where(model.id != except_id)
    return db.session.scalar(stmt) > 0


def add_list_item(model, name: str, actor: User, email: str | None = None, review_years: int | None = None):
    kind = model.__tablename__
    if _name_taken(model, name):
        raise AccountError("name", f"There is already {'an' if kind[0] in 'aeiou' else 'a'} {kind} with that name.")
    item = model(name=name.strip(), active=True)
    if hasattr(model, "email"):
        item.email = (email or "").strip() or None
    if hasattr(model, "review_years"):
        if not review_years:
            raise AccountError("review_years", "Say how many years between reviews.")
        item.review_years = review_years
    db.session.add(item)
    db.session.flush()
    audit.record("alteration", f"{kind}.create", object_type=kind, object_id=item.id,
                 fields=["name"] + (["email"] if getattr(item, "email", None) else [])
                 + (["review_years"] if hasattr(item, "review_years") else []), user=actor)
    db.session.commit()
    return item


def update_list_item(item, *, name: str, active: bool, actor: User, email: str | None = None,
                     is_police: bool | None = None, review_years: int | None = None) -> list[str]:
    kind = item.__tablename__
    if _name_taken(type(item), name, item.id):
        raise AccountError("name", f"There is already {'an' if kind[0] in 'aeiou' else 'a'} {kind} with that name.")
    changed = []
    if item.name != name.strip():
        item.name = name.strip()
        changed.append("name")
    if item.active != active:
        item.active = active
        changed.append("active")
    if is_police is not None and hasattr(item, "is_police") and item.is_police != is_police:
        item.is_police = is_police
        changed.append("is_police")
    if review_years and hasattr(item, "review_years") and item.review_years != review_years:
        item.review_years = review_years  # applies from each debrief's next review on
        changed.append("review_years")
    if hasattr(item, "email") and item.email != ((email or "").strip() or None):
        item.email = (email or "").strip() or None
        changed.append("email")
    if changed:
        audit.record("alteration", f"{kind}.update", object_type=kind, object_id=item.id, fields=changed, user=actor)
        db.session.commit()
    return changed
