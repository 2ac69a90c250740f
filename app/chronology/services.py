"""Chronology entries: create, edit, delete with undo, import. Each function owns its transaction."""
from __future__ import annotations

from datetime import date

from dataclasses import dataclass

from sqlalchemy import or_, select

from app import audit
from app.chronology import rows
from app.chronology.rows import EntryRow
from app.extensions import db
from app.versioning import StaleEdit
from app.models import FLAGS, Agency, ChronologyEntry, Debrief, Subject, utcnow

ENTRY_FIELDS = ("entry_date", "entry_time", "date_precision", "agency_id", "source_system", "source_ref",
                "contact_type", "summary", "action_taken", "risk_assessment", "outcome", "significance",
                *FLAGS, "verified")




@dataclass
class Filters:
    agency: int | None = None
    subject: int | None = None
    flag: str | None = None
    key: bool = False


def entries(debrief: Debrief, filters: Filters | None = None) -> list[EntryRow]:
    """Live entries in chronological order, as plain rows (three queries however long the chronology)."""
    f = filters or Filters()
    conditions = []
    if f.agency:
        conditions.append(ChronologyEntry.agency_id == f.agency)
    if f.subject:
        conditions.append(ChronologyEntry.subjects.any(Subject.id == f.subject))
    if f.flag in FLAGS:
        conditions.append(getattr(ChronologyEntry, f.flag).is_(True))
    if f.key:
        conditions.append(or_(ChronologyEntry.key_issue.is_(True), ChronologyEntry.turning_point.is_(True)))
    return rows.load(debrief, conditions)


def months(rows) -> list[tuple[int, list[tuple[str, str, int]]]]:
    """The years and months the rows cover, for jumping through a long chronology:
    [(2025, [("2025-03", "Mar", 12), ...]), ...] in date order."""
    found: dict[str, int] = {}
    for e in rows:
        key = e.entry_date.strftime("%Y-%m")
        found[key] = found.get(key, 0) + 1
    years: dict[int, list] = {}
    for key, n in found.items():
        year, month = key.split("-")
        years.setdefault(int(year), []).append((key, date(int(year), int(month), 1).strftime("%b"), n))
    return sorted(years.items())


def count(debrief: Debrief) -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(ChronologyEntry).where(
        ChronologyEntry.debrief_id == debrief.id, ChronologyEntry.deleted_at.is_(None)))


def summary(debrief: Debrief) -> dict:
    """Counts for the debrief page: entries, key issues, missed opportunities, good practice."""
    from sqlalchemy import func

    c = ChronologyEntry
    row = db.session.execute(select(func.count(), func.count().filter(c.key_issue.is_(True)),
                                    func.count().filter(c.missed_opportunity.is_(True)),
                                    func.count().filter(c.good_practice.is_(True)))
                             .where(c.debrief_id == debrief.id, c.deleted_at.is_(None))).one()
    return dict(zip(("entries", "key_issues", "missed", "good"), row, strict=True))


def _subjects(debrief: Debrief, ids) -> list[Subject]:
    if not ids:
        return []
    return list(db.session.scalars(select(Subject).where(Subject.debrief_id == debrief.id, Subject.id.in_(ids))))


def create_entry(debrief: Debrief, data: dict, actor, *, commit: bool = True) -> ChronologyEntry:
    entry = ChronologyEntry(debrief_id=debrief.id, entered_by_id=actor.id,
                            **{k: data.get(k) for k in ENTRY_FIELDS})
    entry.subjects = _subjects(debrief, data.get("subject_ids"))
    db.session.add(entry)
    if commit:
        db.session.flush()
        audit.collection("chronology_entry", entry.id,
                         [k for k in ENTRY_FIELDS if data.get(k) not in (None, "", False)])
        db.session.commit()
    return entry


def update_entry(entry: ChronologyEntry, data: dict, version: int) -> list[str]:
    if entry.version != version:
        raise StaleEdit(entry)
    changed = [k for k in ENTRY_FIELDS if getattr(entry, k) != data.get(k)]
    debrief = db.session.get(Debrief, entry.debrief_id)
    subjects = _subjects(debrief, data.get("subject_ids"))
    if {s.id for s in entry.subjects} != {s.id for s in subjects}:
        changed.append("subjects")
        entry.subjects = subjects
    if changed:
        for k in changed:
            if k != "subjects":
                setattr(entry, k, data.get(k))
        entry.version += 1
        entry.updated_at = utcnow()
        audit.alteration("chronology_entry", entry.id, changed)
        db.session.commit()
    return changed


def flag_entries(debrief: Debrief, ids: list[int], flag: str) -> int:
    """Set one flag on several live entries of this debrief; returns how many changed."""
    changed = 0
    for entry in db.session.scalars(select(ChronologyEntry).where(ChronologyEntry.debrief_id == debrief.id,
                                                                 ChronologyEntry.id.in_(ids),
                                                                 ChronologyEntry.deleted_at.is_(None))):
        if not getattr(entry, flag):
            setattr(entry, flag, True)
            entry.version += 1
            audit.alteration("chronology_entry", entry.id, [flag], action="chronology_entry.flag")
            changed += 1
    db.session.commit()
    return changed


def delete_entry(entry: ChronologyEntry) -> None:
    entry.deleted_at = utcnow()
    entry.version += 1
    audit.alteration("chronology_entry", entry.id, ["deleted_at"], action="chronology_entry.delete")
    db.session.commit()


def restore_entry(entry: ChronologyEntry) -> None:
    entry.deleted_at = None
    entry.version += 1
    audit.alteration("chronology_entry", entry.id, ["deleted_at"], action="chronology_entry.restore")
    db.session.commit()


def _fingerprint(entry_date, entry_time, agency_id, contact_type, summary) -> tuple:
    """What makes two entries the same event: day, time, agency, kind of contact and the words of the summary
    (case and spacing aside)."""
    return (entry_date, entry_time, agency_id, contact_type, " ".join((summary or "").casefold().split()))


def mark_duplicates(debrief: Debrief, preview) -> None:
    """Note the rows of an import that the chronology already holds, or that repeat an earlier line of the same
    file: they are shown in the preview and not added again."""
    from app.chronology.importer import Problem

    existing = {}
    for e in db.session.execute(select(ChronologyEntry.entry_date, ChronologyEntry.entry_time,
                                       ChronologyEntry.agency_id, ChronologyEntry.contact_type,
                                       ChronologyEntry.summary, ChronologyEntry.created_at)
                                .where(ChronologyEntry.debrief_id == debrief.id, ChronologyEntry.deleted_at.is_(None))):
        existing.setdefault(_fingerprint(*e[:5]), e.created_at)
    seen: dict[tuple, int] = {}
    for row in preview.rows:
        key = _fingerprint(row["entry_date"], row["entry_time"], row["agency_id"], row["contact_type"], row["summary"])
        if key in existing:
            preview.duplicates.append(Problem(row["line"], "", "Already in the chronology (added "
                                                               f"{existing[key]:%d %b %Y})."))
        elif key in seen:
            preview.duplicates.append(Problem(row["line"], "", f"The same as line {seen[key]} of this file."))
        else:
            seen[key] = row["line"]


def import_entries(debrief: Debrief, rows: list[dict], actor, *, source: str) -> int:
    """Add every row in one transaction, audited as collection and combination."""
    created = [create_entry(debrief, row, actor, commit=False) for row in rows]
    db.session.flush()
    for entry in created:
        audit.collection("chronology_entry", entry.id, [k for k in ENTRY_FIELDS if getattr(entry, k) not in
                                                        (None, "", False)], action="chronology_entry.import")
    audit.combination("debrief", debrief.id, ["chronology"], action="chronology.import", reason=source[:200])
    db.session.commit()
    return len(created)


def active_agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).where(Agency.active).order_by(Agency.name)))


def agencies_for(debrief: Debrief) -> list[Agency]:
    """Active agencies plus any inactive one this chronology already uses."""
    used = select(ChronologyEntry.agency_id).where(ChronologyEntry.debrief_id == debrief.id)
    return list(db.session.scalars(select(Agency).where(or_(Agency.active, Agency.id.in_(used)))
                                   .order_by(Agency.name)))
