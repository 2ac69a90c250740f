"""The one way to write the audit log (Data Protection Act 2018 s.62).

Every helper hands a row to the current database session and never commits: the
row lands in the same transaction as the change it describes, or not at all. The
rows wait until that transaction commits, when they are chained (`app.audit_chain`).
Rows carry identifiers and field names only, never values, names or narrative.
`log_consultation` and `log_shown` are the exceptions: a view changes nothing else
and its row must survive the request, so they commit it at once, in a short
transaction, without expiring what the request has already loaded.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from flask import has_request_context, request
from flask_login import current_user

from app import audit_chain
from app.extensions import db
from app.models import AuditEvent, Operation
from app.security import request_id

_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_ACTION = re.compile(r"^[a-z][a-z0-9_.]{0,59}$")


def _actor_id(user) -> int | None:
    if user is not None:
        return user.id
    if has_request_context():
        try:
            if current_user.is_authenticated:
                return current_user.id
        except Exception:  # noqa: BLE001 - no user loader context (e.g. during a failed load)
            return None
    return None


def _field_list(fields: Iterable[str] | None) -> str | None:
    if not fields:
        return None
    names = sorted(set(fields))
    for name in names:
        if not _FIELD_NAME.match(name):
            raise ValueError(f"audit fields must be field names, not values: {name!r}")
    return ",".join(names)


def record(
    operation: Operation | str,
    action: str,
    *,
    object_type: str | None = None,
    object_id: object | None = None,
    fields: Iterable[str] | None = None,
    recipient: str | None = None,
    reason: str | None = None,
    user=None,
    records: Iterable[int] | None = None,
) -> AuditEvent:
    operation = Operation(operation)
    if not _ACTION.match(action):
        raise ValueError(f"bad audit action {action!r}")
    if operation is Operation.DISCLOSURE and not (recipient and recipient.strip()):
        raise ValueError("a disclosure must name its recipient")
    if not reason and has_request_context():
        from app.disclosure import viewing_as

        reason = f"viewed as {viewing_as()}" if viewing_as() else None
    event = AuditEvent(
        operation=operation.value,
        action=action,
        user_id=_actor_id(user),
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        fields=_field_list(fields),
        recipient=(recipient or None) and recipient.strip()[:200],
        reason=((reason or None) and reason.strip()[:200]) or (None if has_request_context() else "command line"),
        request_id=request_id() if has_request_context() else None,
        client_addr=request.remote_addr if has_request_context() else None,
        records=",".join(str(int(i)) for i in records) if records else None,
    )
    audit_chain.defer(db.session(), event)
    return event


def collection(object_type: str, object_id, fields: Iterable[str], action: str | None = None, **kw) -> AuditEvent:
    return record(Operation.COLLECTION, action or f"{object_type}.create", object_type=object_type,
                  object_id=object_id, fields=fields, **kw)


def alteration(object_type: str, object_id, fields: Iterable[str], action: str | None = None, **kw) -> AuditEvent:
    return record(Operation.ALTERATION, action or f"{object_type}.update", object_type=object_type,
                  object_id=object_id, fields=fields, **kw)


def consultation(object_type: str, object_id=None, action: str | None = None, **kw) -> AuditEvent:
    return record(Operation.CONSULTATION, action or f"{object_type}.view", object_type=object_type,
                  object_id=object_id, **kw)


def disclosure(object_type: str, object_id, recipient: str, action: str | None = None, **kw) -> AuditEvent:
    return record(Operation.DISCLOSURE, action or f"{object_type}.export", object_type=object_type,
                  object_id=object_id, recipient=recipient, **kw)


def combination(object_type: str, object_id, fields: Iterable[str] | None = None, action: str | None = None,
                **kw) -> AuditEvent:
    return record(Operation.COMBINATION, action or f"{object_type}.combine", object_type=object_type,
                  object_id=object_id, fields=fields, **kw)


def erasure(object_type: str, object_id, fields: Iterable[str] | None = None, action: str | None = None,
            **kw) -> AuditEvent:
    return record(Operation.ERASURE, action or f"{object_type}.erase", object_type=object_type,
                  object_id=object_id, fields=fields, **kw)


def security(action: str, *, object_type: str | None = None, object_id=None, user=None, reason=None) -> AuditEvent:
    return record(Operation.SECURITY, action, object_type=object_type, object_id=object_id, user=user, reason=reason)


def log_consultation(object_type: str, object_id=None, action: str | None = None, **kw) -> None:
    """Record that the current user viewed personal data.

    In a request the row is written when the response is ready, and by what happened: a page that was shown
    (2xx, or 409/422 showing the form again) is a consultation; a refused one (401, 403, 404) is logged as a
    refusal, not as a read; a redirect or an error showed nothing. If the row cannot be written, the page is
    not sent. Outside a request (commands), it is written at once.
    """
    if not has_request_context():
        consultation(object_type, object_id, action, **kw)
        _commit_keeping_loaded()
        return
    from flask import g

    g.setdefault("consultations", []).append((object_type, object_id, action, kw))


def shown(ids: Iterable[int]) -> None:
    """Say which records the page being logged showed (a list, a search, a board): ids, never text."""
    from flask import g

    pending = g.get("consultations")
    if pending:
        object_type, object_id, action, kw = pending[-1]
        pending[-1] = (object_type, object_id, action, {**kw, "records": [int(i) for i in ids]})


REFUSED = (401, 403, 404, 410)


def _write_consultations(response):
    """after_request: the request's consultation rows, as reads or refusals, committed before it is sent."""
    from flask import g

    pending = g.pop("consultations", None)
    if not pending:
        return response
    status = response.status_code
    shown = status < 300 or status in (409, 422)
    if not shown and status not in REFUSED:
        return response
    session = db.session()
    if session.new or session.dirty or session.deleted:
        session.rollback()  # whatever the view left unfinished is not the log's to commit
    reason = g.get("access_reason")
    for object_type, object_id, action, kw in pending:
        if shown:
            if reason and not kw.get("reason"):
                kw = {**kw, "reason": f"reason given: {reason}"}
            consultation(object_type, object_id, action, **kw)
        else:
            security("access.refused", object_type=object_type, object_id=object_id,
                     reason=f"{action or object_type + '.view'}: {status}")  # nothing shown: no records
    _commit_keeping_loaded()  # an error here is raised: the page is replaced by the error page, unsent
    return response


def init_audit(app) -> None:
    app.after_request(_write_consultations)


def _commit_keeping_loaded() -> None:
    """Commit a view's row at once without expiring what the session has loaded: the signed-in user and roles
    (and anything loaded to check access) stay as just read instead of being read again for the page."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def version_reason(internal: bool) -> str:
    """How a disclosure names which version left: with real names, or pseudonyms only."""
    return "internal version" if internal else "shared version"


def log_shown(object_type: str, object_id, action: str, internal: bool | None = None) -> None:
    """Record that a document was generated and shown on screen to the current user, and commit it.

    As with log_consultation, call it before loading what the page shows.
    """
    disclosure(object_type, object_id, recipient=f"on screen to user_account {_actor_id(None)}", action=action,
               reason=None if internal is None else version_reason(internal))
    _commit_keeping_loaded()


def log_security(action: str, **kw) -> None:
    """Record a security event on its own, after discarding any unfinished change."""
    db.session.rollback()
    security(action, **kw)
    db.session.commit()
