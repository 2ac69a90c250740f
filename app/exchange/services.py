"""The learning exchange: build an anonymised export of our issued learning, and import another force's file.

Export: learning points of debriefs with an issued document of learning (points recorded up to the latest
issue), with their themes and the type, status and outcome of their actions; statements through
`anonymise`; months only; record ids opaque (an HMAC of the force and the point with the app's secret).
Every export names its recipient and is audited as a disclosure of the points it carries.

Import: the file must validate against the JSON Schema of its version (Draft 2020-12) as a whole, or nothing
is saved; a file already imported (same SHA-256) is refused. Audited as a combination of data.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import current_app
from jsonschema import Draft202012Validator
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import audit
from app.extensions import db
from app.models import Action, ActionStatus, Debrief, LearningDocument, LearningPoint, utcnow
from app.models.exchange import ExchangeImport, ExchangeLearning

SCHEMA_NAME = "learning-exchange"
SCHEMA_VERSION = "1.0"
SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas" / SCHEMA_NAME
MAX_ERRORS = 50


@lru_cache(maxsize=4)
def schema(version: str = SCHEMA_VERSION) -> dict:
    return json.loads((SCHEMA_DIR / f"{version}.json").read_text(encoding="utf-8"))


def validator(version: str = SCHEMA_VERSION) -> Draft202012Validator:
    return Draft202012Validator(schema(version))


def force_name() -> str:
    return current_app.config.get("ORGANISATION_NAME") or "Police force (name not configured)"


def record_id(point_id: int) -> str:
    """Opaque and stable: the same point always gets the same id, which reveals neither it nor our database."""
    key = hashlib.sha256(b"learning-exchange:" + current_app.config["SECRET_KEY"].encode("utf-8")).digest()
    return hmac.new(key, f"{force_name()}|{point_id}".encode(), hashlib.sha256).hexdigest()[:32]


# ---- export ----------------------------------------------------------------------------------------------

def _outcome(action: Action) -> dict:
    if action.status == ActionStatus.CLOSED.value:
        outcome = "done"
    elif action.status == ActionStatus.NOT_DOING.value:
        outcome = "not_doing"
    else:
        outcome = "pending"
    reviewed = bool(action.review_on or (action.review_result or "").strip())
    # The effectiveness review is kept as free text here, so the file says it happened, not what it found.
    return {"type": action.scope, "priority": action.priority, "status": action.status, "outcome": outcome,
            "effectiveness": "reviewed" if reviewed else "not_reviewed"}


def build(recipient: str) -> tuple[dict, list[int]]:
    """The export document, and the ids of the learning points it carries."""
    from app.exchange.anonymise import anonymise

    issued = (select(LearningDocument.debrief_id, func.min(LearningDocument.issued_at).label("first"),
                     func.max(LearningDocument.issued_at).label("last"))
              .group_by(LearningDocument.debrief_id).subquery())
    rows = db.session.execute(
        select(LearningPoint, issued.c.first)
        .join(issued, issued.c.debrief_id == LearningPoint.debrief_id)
        .where(LearningPoint.created_at <= issued.c.last)
        .options(selectinload(LearningPoint.actions), selectinload(LearningPoint.debrief))
        .order_by(issued.c.first, LearningPoint.debrief_id, LearningPoint.number)).all()
    areas = [a for a in db.session.scalars(select(Debrief.policing_area).distinct()) if a]
    records, ids = [], []
    for point, first in rows:
        debrief = point.debrief
        records.append({
            "record_id": record_id(point.id),
            "month": first.strftime("%Y-%m"),
            "kind": point.kind,
            "category": debrief.category,
            "context": debrief.context,
            "statement": anonymise(point.statement, debrief.id, areas, [debrief.title]),
            "themes": sorted(t.name for t in point.themes),
            "actions": [_outcome(a) for a in point.actions],
        })
        ids.append(point.id)
    doc = {"schema": SCHEMA_NAME, "schema_version": SCHEMA_VERSION, "source_force": force_name(),
           "exported": utcnow().strftime("%Y-%m"), "prepared_for": recipient.strip(),
           "marking": current_app.config.get("MARKING", "OFFICIAL-SENSITIVE"), "records": records}
    return doc, ids


def export(recipient: str, actor=None) -> str:
    """The export as JSON text, audited as a disclosure to `recipient` of the points it carries."""
    doc, ids = build(recipient)
    errors = list(validator().iter_errors(doc))
    if errors:  # our own output must meet the published schema; refuse rather than send a bad file
        raise RuntimeError(f"the exchange export does not meet its schema: {errors[0].message}")
    audit.disclosure("learning_point", None, recipient=recipient, action="exchange.export", records=ids,
                     reason=f"anonymised learning exchange, {len(ids)} records", user=actor)
    db.session.commit()
    return json.dumps(doc, ensure_ascii=False, indent=2)


# ---- import ----------------------------------------------------------------------------------------------

@dataclass
class Refused(Exception):
    """The file was not imported; `errors` say why, by record and field."""

    message: str
    errors: list[str]


def _where(path) -> str:
    parts = list(path)
    if len(parts) >= 2 and parts[0] == "records" and isinstance(parts[1], int):
        fields = ".".join(str(p + 1) if isinstance(p, int) else str(p) for p in parts[2:])
        return f"Record {parts[1] + 1}" + (f", field {fields}" if fields else "")
    fields = ".".join(str(p + 1) if isinstance(p, int) else str(p) for p in parts)
    return f"File, field {fields}" if fields else "File"


def check(raw: bytes) -> dict:
    """The parsed file if it may be imported whole; otherwise Refused with every problem listed."""
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise Refused("The file is not UTF-8 text: it is not a learning exchange file.", []) from None
    except ValueError as exc:
        raise Refused(f"The file is not valid JSON (line {getattr(exc, 'lineno', '?')}): nothing was imported.",
                      []) from None
    if not isinstance(doc, dict):
        raise Refused("The file is not a learning exchange file: it holds no object.", [])
    version = doc.get("schema_version")
    if doc.get("schema") != SCHEMA_NAME or not isinstance(version, str) or not (SCHEMA_DIR / f"{version}.json").is_file() \
            or "/" in version or "\\" in version:
        raise Refused(f"The file is not a learning exchange file of a version this system knows "
                      f"(it knows {SCHEMA_VERSION}).", [])
    problems = sorted(validator(version).iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
    errors = [f"{_where(e.absolute_path)}: {e.message[:300]}" for e in problems]
    seen: dict[str, int] = {}
    for n, record in enumerate(doc.get("records") or [], start=1):
        rid = record.get("record_id") if isinstance(record, dict) else None
        if isinstance(rid, str):
            if rid in seen:
                errors.append(f"Record {n}, field record_id: the same id as record {seen[rid]}")
            seen.setdefault(rid, n)
    if errors:
        shown = errors[:MAX_ERRORS]
        more = len(errors) - len(shown)
        raise Refused(f"Nothing was imported: {len(errors)} problem{'s' if len(errors) != 1 else ''} in the file"
                      + (f" (the first {MAX_ERRORS} are listed)" if more else "") + ".", shown)
    return doc


def import_file(raw: bytes, actor=None) -> ExchangeImport:
    """Import the whole file or nothing."""
    digest = hashlib.sha256(raw).hexdigest()
    earlier = db.session.scalar(select(ExchangeImport).where(ExchangeImport.sha256 == digest))
    if earlier is not None:
        raise Refused(f"This file was already imported ({earlier.source_force}, {earlier.records} records): "
                      "nothing was imported again.", [])
    doc = check(raw)
    imp = ExchangeImport(source_force=doc["source_force"].strip(), schema_version=doc["schema_version"],
                         exported_at=doc["exported"], sha256=digest, records=len(doc["records"]),
                         imported_by_id=actor.id if actor else None)
    imp.learning = [ExchangeLearning(record_id=r["record_id"], month=r["month"], kind=r["kind"],
                                     category=r.get("category"), context=r.get("context"), statement=r["statement"],
                                     themes=json.dumps(r["themes"], ensure_ascii=False),
                                     actions=json.dumps(r["actions"], ensure_ascii=False))
                    for r in doc["records"]]
    db.session.add(imp)
    db.session.flush()
    audit.combination("exchange_import", imp.id, ["records"], action="exchange.import",
                      reason=f"learning exchange file, {imp.records} records", user=actor)
    db.session.commit()
    return imp


def imports() -> list[ExchangeImport]:
    return list(db.session.scalars(select(ExchangeImport).options(selectinload(ExchangeImport.imported_by))
                                   .order_by(ExchangeImport.imported_at.desc(), ExchangeImport.id.desc())))


def exportable_count() -> int:
    issued = select(LearningDocument.debrief_id, func.max(LearningDocument.issued_at).label("last")) \
        .group_by(LearningDocument.debrief_id).subquery()
    return db.session.scalar(select(func.count()).select_from(LearningPoint)
                             .join(issued, issued.c.debrief_id == LearningPoint.debrief_id)
                             .where(LearningPoint.created_at <= issued.c.last)) or 0
