"""Learning points, actions from them, and the lookup of earlier learning. Each function owns its transaction."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import audit
from app.extensions import db
from app.numbering import next_number
from app.versioning import StaleEdit
from app.models import (
    Action,
    ChronologyEntry,
    Debrief,
    LearningPoint,
    Repeat,
    Theme,
    utcnow,
)
from app.permissions import scoped

EARLIER_WINDOW = timedelta(days=730)  # "the last 24 months"




def active_themes() -> list[Theme]:
    return list(db.session.scalars(select(Theme).where(Theme.active).order_by(Theme.name)))


def _links(debrief: Debrief, theme_ids, entry_ids):
    themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(theme_ids or [-1]))))
    entries = list(db.session.scalars(select(ChronologyEntry).where(
        ChronologyEntry.debrief_id == debrief.id, ChronologyEntry.deleted_at.is_(None),
        ChronologyEntry.id.in_(entry_ids or [-1]))))
    return themes, entries


def add_learning(debrief: Debrief, data: dict) -> LearningPoint:
    themes, entries = _links(debrief, data["theme_ids"], data["entry_ids"])
    point = LearningPoint(debrief_id=debrief.id, number=next_number(LearningPoint, debrief.id),
                          statement=data["statement"], kind=data["kind"], repeat=data["repeat"], themes=themes,
                          evidence=entries)
    db.session.add(point)
    db.session.flush()
    audit.collection("learning_point", point.id, ["statement", "kind", "repeat", "themes", "evidence"])
    if entries:
        audit.combination("learning_point", point.id, ["evidence"], action="learning_point.link_chronology")
    db.session.commit()
    return point


def update_learning(point: LearningPoint, data: dict, version: int) -> list[str]:
    if point.version != version:
        raise StaleEdit(point)
    debrief = db.session.get(Debrief, point.debrief_id)
    themes, entries = _links(debrief, data["theme_ids"], data["entry_ids"])
    changed = [k for k in ("statement", "kind", "repeat") if getattr(point, k) != data[k]]
    if {t.id for t in point.themes} != {t.id for t in themes}:
        changed.append("themes")
    if {e.id for e in point.evidence} != {e.id for e in entries}:
        changed.append("evidence")
    if changed:
        for k in ("statement", "kind", "repeat"):
            setattr(point, k, data[k])
        if data["repeat"] == Repeat.NEW.value and (point.repeats_point_id or point.repeats_exchange_id):
            point.repeats_point_id = point.repeats_exchange_id = None  # new learning repeats nothing
            changed += ["repeats_point_id", "repeats_exchange_id"]
        point.themes, point.evidence = themes, entries
        point.version += 1
        audit.alteration("learning_point", point.id, changed)
        db.session.commit()
    return changed


def earlier_learning(theme_ids: list[int], user, exclude_debrief_id: int) -> list[LearningPoint]:
    """Learning with any of these themes from other debriefs of the last 24 months that `user` may see."""
    if not theme_ids:
        return []
    visible = scoped(select(Debrief.id), Debrief, user)
    stmt = (select(LearningPoint)
            .where(LearningPoint.debrief_id != exclude_debrief_id, LearningPoint.debrief_id.in_(visible),
                   LearningPoint.created_at >= utcnow() - EARLIER_WINDOW,
                   LearningPoint.themes.any(Theme.id.in_(theme_ids)))
            .options(selectinload(LearningPoint.actions), selectinload(LearningPoint.debrief))
            .order_by(LearningPoint.created_at.desc()).limit(50))
    return list(db.session.scalars(stmt))


def add_action(debrief: Debrief, point: LearningPoint | None, data: dict) -> Action:
    """Raise an action, on a learning point or on the debrief itself; with no themes chosen it takes the
    learning point's."""
    data = dict(data)
    theme_ids = data.pop("theme_ids", None) or ([t.id for t in point.themes] if point else [])
    action = Action(debrief_id=debrief.id, learning_id=point.id if point else None,
                    number=next_number(Action, debrief.id), **data)
    action.themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(theme_ids or [-1]))))
    db.session.add(action)
    db.session.flush()
    audit.collection("action", action.id, [k for k, v in data.items() if v not in (None, "")] + (
        ["themes"] if theme_ids else []))
    db.session.commit()
    return action


REPEAT_CHOICES = list(Repeat)


def issue_document(debrief: Debrief, details: dict, actor):
    """Freeze the document as it stands now with the next number: internal and shared copies as Word files and
    pages, and the 7-minute briefing that belongs to this version (shared content, page and Word file).

    `details`: plan, summary, approved_by, distribution, and optionally what_to_do and questions (lists of
    lines) for the briefing."""
    from app.learning import briefing, content, word
    from app.models import LearningDocument

    number = (db.session.scalar(select(func.max(LearningDocument.number))
                                .where(LearningDocument.debrief_id == debrief.id)) or 0) + 1
    now = utcnow()
    meta = content.IssueDetails(number=number, issued_at=now, author=actor.full_name if actor else "",
                                approved_by=details["approved_by"], distribution=details["distribution"],
                                summary=details["summary"], plan=details["plan"])
    internal, shared = content.build(debrief, True, meta), content.build(debrief, False, meta)
    brief = briefing.build(debrief, meta, details.get("what_to_do"), details.get("questions"))
    doc = LearningDocument(debrief_id=debrief.id, number=number, issued_at=now,
                           issued_by_id=actor.id if actor else None,
                           internal_docx=word.render(internal, debrief.id), shared_docx=word.render(shared, debrief.id),
                           internal_html=content.html(internal, debrief.id),
                           shared_html=content.html(shared, debrief.id),
                           dissemination_plan=details["plan"], summary=details["summary"],
                           approved_by=details["approved_by"], distribution=details["distribution"],
                           briefing_html=briefing.html(brief, debrief.id),
                           briefing_docx=briefing.docx(brief, debrief.id),
                           briefing_parts=briefing.frozen(brief, debrief.id))
    db.session.add(doc)
    db.session.flush()
    audit.record("alteration", "document.issue", object_type="learning_document", object_id=doc.id,
                 fields=["internal_docx", "shared_docx", "briefing_docx"], user=actor)
    db.session.commit()
    return doc


def issued_briefing(doc):
    """The 7-minute briefing of an issued version as it was issued; a version issued before briefings were kept
    with it gets one drawn from its debrief now, marked as such."""
    from app.learning import briefing, content

    kept = briefing.thawed(doc.briefing_parts) if doc.briefing_parts else None
    if kept is not None:
        return kept
    debrief = db.session.get(Debrief, doc.debrief_id)
    drawn = briefing.build(debrief, content.details_of(doc, debrief))
    drawn.status = "Drawn from the debrief as it stands: this version was issued before briefings were kept."
    return drawn


def record_dissemination(doc, *, method: str, audience: str, on, by: str) -> None:
    from app.models import Dissemination

    db.session.add(Dissemination(document_id=doc.id, method=method, audience=audience.strip(), on=on, by=by.strip()))
    audit.record("alteration", "document.disseminate", object_type="learning_document", object_id=doc.id,
                 fields=["disseminations"])
    db.session.commit()
