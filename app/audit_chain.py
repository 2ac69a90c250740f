"""The audit log's proof of integrity: every row carries a keyed hash chained to the row before it.

Each audit row gets, as it is written, the next position in the chain (`seq`, 1, 2, 3, ... with no gaps) and
`chain_hash` = HMAC-SHA256(key, previous row's chain_hash + the row's content). The key comes from the
environment (`AUDIT_KEY`), never from the database, so someone who can change the tables cannot compute
the hash of a row they changed, inserted or moved. Verification walks the chain in order and reports:

- a modified row (its hash no longer matches its content);
- a deleted row (a gap in the positions, and the next row's hash no longer follows);
- an inserted row (no position, or a position whose hash could not have been made without the key);
- reordered rows (hashes that do not follow one another);
- truncation: the chain head kept beside the log (`audit_chain`) must be the last row, and an anchor (a
  position and its hash) taken earlier and kept elsewhere (the backup file, the application log) must
  still be in the chain. Cutting off the newest rows and rewriting the head is caught by the anchor.

Writers take turns at the head. A transaction's audit rows wait in the session until it commits; then the
head row is locked (a row lock on PostgreSQL; SQLite's write lock), the rows take the next positions and
are inserted, and the commit releases the head. So concurrent workers never fork the chain, the head is
held only for the commit, and it is the last lock any transaction takes (two writers cannot deadlock on it).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.models import AuditChain, AuditEvent, utcnow

GENESIS = "0" * 64
log = logging.getLogger("hpd.audit")

# The columns a row's hash covers, in this order. `seq` is covered too: a row cannot be moved. Columns added
# later (OPTIONAL) are covered when they hold a value, so rows written before they existed still verify.
CONTENT = ("occurred_at", "user_id", "operation", "action", "object_type", "object_id", "fields", "recipient",
           "reason", "request_id", "client_addr", "records")
OPTIONAL = 1  # the last columns of CONTENT that are left out of the hash while they are empty


def _key() -> bytes:
    return current_app.config["AUDIT_KEY"].encode()


def _stamp(moment: datetime) -> str:
    """The timestamp as stored: UTC, microseconds (both databases keep them exactly)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _payload(seq: int, stamp: str, rest) -> bytes:
    values = [seq, stamp, *rest]
    while len(values) > len(CONTENT) + 1 - OPTIONAL and values[-1] is None:
        values.pop()
    return _encode(values).encode()


def content(seq: int, row) -> bytes:
    """What a row's hash covers: its position, then CONTENT in order, as compact JSON."""
    return _payload(seq, _stamp(row.occurred_at), [getattr(row, c) for c in CONTENT[1:]])


def _hasher(key: bytes):
    return hmac.new(key, digestmod=hashlib.sha256)


def _digest(hasher, previous: str, payload: bytes) -> str:
    h = hasher.copy()  # the key's padding is worked out once, not per row
    h.update(previous.encode() + b"\n" + payload)
    return h.hexdigest()


def chain_hash(key: bytes, previous: str, seq: int, row) -> str:
    return _digest(_hasher(key), previous, content(seq, row))


# ---- writing -----------------------------------------------------------------------------------------

PENDING = "audit_pending"


def defer(session: Session, row: AuditEvent) -> None:
    """Hold a new audit row until its transaction commits; it is sealed and written then, or dropped with a
    rollback together with the change it describes."""
    if row.occurred_at is None:
        row.occurred_at = utcnow()
    if not session.in_transaction():
        session.begin()  # so that a rollback before anything else is read or written still drops the row
    session.info.setdefault(PENDING, []).append(row)


def seal(session: Session, rows: list[AuditEvent]) -> None:
    """Give the rows their positions and hashes and add them to the session, holding the chain head until
    commit. The head is the last lock a transaction takes, so no two writers can wait on each other."""
    from app.database import lock_row

    head = session.scalars(select(AuditChain).where(AuditChain.id == 1).with_for_update()
                           .execution_options(populate_existing=True)).first()
    if head is None:  # a database made without the migrations: the head is created by the first writer
        head = lock_row(AuditChain, {"id": 1}, {"seq": 0, "head_hash": GENESIS, "updated_at": utcnow()})
    key = _key()
    seq, previous = head.seq, head.head_hash
    for row in rows:
        seq += 1
        row.seq = seq
        row.chain_hash = chain_hash(key, previous, seq, row)
        previous = row.chain_hash
    head.seq, head.head_hash, head.updated_at = seq, previous, utcnow()
    session.add_all(rows)


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True

    @event.listens_for(Session, "before_commit")
    def _seal_pending(session):
        rows = session.info.pop(PENDING, None)
        if rows:
            seal(session, rows)

    @event.listens_for(Session, "after_transaction_end")
    def _drop_pending(session, transaction):
        if transaction.parent is None:  # committed (already sealed), rolled back or closed: nothing waits
            session.info.pop(PENDING, None)


# ---- checking ----------------------------------------------------------------------------------------

@dataclass
class Verdict:
    rows: int = 0
    head_seq: int | None = None
    last_seq: int = 0
    last_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)
    MAX_LISTED = 50

    @property
    def intact(self) -> bool:
        return not self.problems

    def problem(self, text: str) -> None:
        if len(self.problems) < self.MAX_LISTED:
            self.problems.append(text)
        elif len(self.problems) == self.MAX_LISTED:
            self.problems.append("… and more")

    @property
    def anchor(self) -> str:
        return f"{self.last_seq}:{self.last_hash}"


def parse_anchor(text: str) -> tuple[int, str]:
    seq, _, digest = text.strip().partition(":")
    if not seq.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError("an anchor is the position and hash printed by audit-verify or the backup, "
                         "e.g. 1234:9f86d0…")
    return int(seq), digest


def verify(anchors: list[tuple[int, str]] = (), batch: int = 5000) -> Verdict:
    """Walk the whole chain in order. Reads in batches by position, so memory stays flat at any size."""
    from app.extensions import db

    hasher = _hasher(_key())
    v = Verdict()
    wanted = dict(anchors)
    found_anchors: set[int] = set()
    unchained = db.session.scalar(select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.seq.is_(None)))
    if unchained:
        v.problem(f"{unchained} row(s) carry no chain position: inserted outside the application")
    # Plain columns, read as the database returns them (the timestamp naive, as stored, in UTC).
    columns = [AuditEvent.id, AuditEvent.seq, AuditEvent.chain_hash,
               sa.type_coerce(AuditEvent.occurred_at, sa.DateTime()),
               *[getattr(AuditEvent, c) for c in CONTENT[1:]]]
    connection = db.session.connection()
    expected_seq, previous, after = 1, GENESIS, 0
    while True:
        rows = connection.execute(select(*columns).where(AuditEvent.seq > after)
                                  .order_by(AuditEvent.seq).limit(batch)).fetchall()
        if not rows:
            break
        for row in rows:
            row_id, seq, stored = row[0], row[1], row[2] or ""
            v.rows += 1
            if seq != expected_seq:
                if seq > expected_seq:
                    v.problem(f"rows at positions {expected_seq}–{seq - 1} are missing (deleted)")
                else:
                    v.problem(f"position {seq} appears twice (row {row_id})")
            good = _digest(hasher, previous, _payload(seq, row[3].isoformat(timespec="microseconds"), row[4:]))
            if not hmac.compare_digest(good, stored):
                # Either this row changed, or it does not follow the row before it (moved, inserted, or a
                # row before it was removed). Say which, when it can be told.
                v.problem(f"row {row_id} at position {seq}: "
                          + ("its hash does not follow the row before it" if seq != expected_seq
                             else "its content or its place in the chain has been changed"))
            if seq in wanted:
                found_anchors.add(seq)
                if not hmac.compare_digest(wanted[seq], stored):
                    v.problem(f"anchor at position {seq} does not match the row there")
            previous = stored
            expected_seq = seq + 1
            after = seq
        v.last_seq, v.last_hash = after, previous
    head = db.session.get(AuditChain, 1)
    if head is not None:
        v.head_seq = head.seq
        if head.seq != v.last_seq or head.head_hash != v.last_hash:
            v.problem(f"the chain head says position {head.seq} but the log ends at {v.last_seq}: "
                      "rows at the end are missing or the head was changed")
    elif v.rows:
        v.problem("the chain head is missing")
    for seq in sorted(set(wanted) - found_anchors):
        v.problem(f"anchor at position {seq} is not in the log: the log was cut short")
    return v


def write_anchor(reason: str) -> str:
    """The current head as an anchor, written to the application log (kept outside the database)."""
    from app.extensions import db

    head = db.session.get(AuditChain, 1)
    anchor = f"{head.seq}:{head.head_hash}" if head else f"0:{GENESIS}"
    log.info("audit anchor %s (%s)", anchor, reason)
    return anchor
