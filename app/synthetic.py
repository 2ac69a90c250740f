"""Synthetic volume for benchmarks and scaling tests: many debriefs, inserted in bulk.

Not demo data: titles are numbered and nothing resembles a real case.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert, select

from app.extensions import db
from app.models import (
    STAGE_ORDER,
    SUBTYPES_BY_CONTEXT,
    Category,
    Context,
    Debrief,
    Offence,
    Stage,
    StageChange,
    utcnow,
)


def bulk_debriefs(n: int, lead_ids: list[int], seed: int = 7, start_number: int = 1, max_days_ago: int = 3650) -> None:
    """Insert `n` debriefs spread over ten years and every stage, with a stage history each."""
    rnd = random.Random(seed)
    now = utcnow()
    rows = []
    for i in range(n):
        days_ago = rnd.randint(0, max_days_ago)
        # Older debriefs are mostly finished; recent ones spread over the active stages.
        if days_ago > 120:
            stage = rnd.choice([Stage.CLOSED] * 8 + [Stage.NOT_PROGRESSED, Stage.MONITORING])
        else:
            stage = rnd.choice(STAGE_ORDER)
        context = rnd.choice(list(Context))
        incident = date.today() - timedelta(days=days_ago)
        changed = now - timedelta(days=rnd.randint(0, max(days_ago, 1)))
        rows.append({
            "reference": f"HPD-{incident.year}-S{start_number + i:05d}", "title": f"Synthetic case {start_number + i}",
            "stage": stage.value, "stage_changed_at": changed, "dmm_date": incident, "incident_date": incident,
            "category": rnd.choice(list(Category)).value, "context": context.value,
            "subtype": rnd.choice(SUBTYPES_BY_CONTEXT[context]).value, "offence": rnd.choice(list(Offence)).value,
            "policing_area": rnd.choice(["Northgate", "Eastbrook", "Westmoor", "Southfield"]),
            "summary": "Synthetic", "referred_by": "Synthetic", "lead_reviewer_id": rnd.choice(lead_ids),
            "decision": "accepted", "created_at": changed, "version": 1,
        })
    db.session.execute(insert(Debrief), rows)
    ids = db.session.execute(select(Debrief.id, Debrief.stage, Debrief.stage_changed_at)
                             .where(Debrief.reference.like("HPD-%-S%"))).all()
    history = []
    for debrief_id, stage, changed in ids:
        history.append({"debrief_id": debrief_id, "from_stage": None, "to_stage": "referred", "changed_at": changed})
        if Stage(stage) in (Stage.LEARNING, Stage.MONITORING, Stage.CLOSED):
            history.append({"debrief_id": debrief_id, "from_stage": "debrief", "to_stage": "learning",
                            "changed_at": changed})
    db.session.execute(insert(StageChange), history)
    db.session.commit()


def bulk_chronology(debrief_id: int, n: int, agency_ids: list[int], subject_ids: list[int], seed: int = 5) -> None:
    """Insert `n` chronology entries for one debrief, with people, flags and some untimed days."""
    from datetime import time

    from app.models import ChronologyEntry, ContactType
    from app.models.chronology import chronology_subject

    rnd = random.Random(seed)
    start = date.today() - timedelta(days=3 * 365)
    rows = []
    for i in range(n):
        rows.append({
            "debrief_id": debrief_id, "entry_date": start + timedelta(days=rnd.randint(0, 3 * 365 - 1)),
            "entry_time": time(rnd.randint(0, 23), rnd.choice([0, 15, 30, 45])) if rnd.random() < .7 else None,
            "date_precision": "exact", "agency_id": rnd.choice(agency_ids),
            "contact_type": rnd.choice(list(ContactType)).value,
            "summary": f"Synthetic event {i}: contact recorded and assessed.", "action_taken": "Officer attended.",
            "significance": "Synthetic" if i % 5 == 0 else None, "key_issue": i % 17 == 0,
            "missed_opportunity": i % 11 == 0, "good_practice": i % 13 == 0, "turning_point": False,
            "verified": i % 2 == 0, "created_at": utcnow(), "updated_at": utcnow(), "version": 1,
        })
    db.session.execute(insert(ChronologyEntry), rows)
    linked = select(chronology_subject.c.entry_id)
    ids = db.session.scalars(select(ChronologyEntry.id).where(ChronologyEntry.debrief_id == debrief_id,
                                                              ChronologyEntry.id.not_in(linked))).all()
    if subject_ids:
        db.session.execute(insert(chronology_subject),
                           [{"entry_id": eid, "subject_id": rnd.choice(subject_ids)} for eid in ids])
    db.session.commit()


SYNTHETIC_DEPARTMENTS = ("Response", "Public Protection", "Contact Management", "Criminal Justice", "Training")


def bulk_actions(n: int, debrief_ids: list[int], owner_ids: list[int], team_ids: list[int], theme_ids: list[int],
                 seed: int = 13) -> None:
    """Insert `n` actions spread over the debriefs, owners (people and teams), statuses, due dates and themes."""
    from sqlalchemy import func

    from app.models import Action, ActionStatus
    from app.models.learning import action_theme

    rnd = random.Random(seed)
    numbers = dict(db.session.execute(select(Action.debrief_id, func.max(Action.number))
                                      .where(Action.debrief_id.in_(debrief_ids)).group_by(Action.debrief_id)).all())
    statuses = [s.value for s in ActionStatus]
    rows = []
    for i in range(n):
        d = debrief_ids[i % len(debrief_ids)]
        numbers[d] = numbers.get(d, 0) + 1
        person = rnd.random() < .6 and owner_ids
        status = rnd.choices(statuses, weights=(30, 30, 10, 25, 5))[0]
        due = date.today() + timedelta(days=rnd.randint(-200, 120))
        rows.append({
            "debrief_id": d, "number": numbers[d], "what": f"Synthetic action {i}: brief teams and check it worked.",
            "owner_user_id": rnd.choice(owner_ids) if person else None,
            "owner_team_id": None if person else rnd.choice(team_ids), "accountable_lead": "Superintendent",
            "department": rnd.choice(SYNTHETIC_DEPARTMENTS), "due_on": due, "priority": rnd.choice(("high", "medium", "low")),
            "scope": "force", "status": status, "raised_on": due - timedelta(days=90),
            "completed_on": due if status in ("completed", "closed") else None,
            "closed_on": due if status in ("closed", "not_doing") else None, "version": 1,
        })
    db.session.execute(insert(Action), rows)
    if theme_ids:
        new = db.session.scalars(select(Action.id).where(Action.id.not_in(select(action_theme.c.action_id)))).all()
        db.session.execute(insert(action_theme), [{"action_id": a, "theme_id": rnd.choice(theme_ids)} for a in new])
    db.session.commit()


def bulk_outcomes(seed: int = 17, entries_per_debrief: int = 25, after_id: int = 0) -> None:
    """Give every synthetic debrief what the dashboard counts: a chronology before the incident (police and
    partner contacts, flags), and for those past the Debrief stage a meeting with attendees, learning points
    with themes and a learning document, most with dissemination recorded."""
    from datetime import datetime, time, timezone

    from app.models import (
        Agency,
        ChronologyEntry,
        ContactType,
        Dissemination,
        Invitee,
        LearningDocument,
        LearningPoint,
        Meeting,
        Theme,
    )
    from app.models.learning import learning_theme

    rnd = random.Random(seed)
    agencies = db.session.scalars(select(Agency.id)).all()
    themes = db.session.scalars(select(Theme.id)).all()
    debriefs = db.session.execute(select(Debrief.id, Debrief.incident_date, Debrief.stage)
                                  .where(Debrief.reference.like("HPD-%-S%"), Debrief.id > after_id)).all()
    later = {Stage.LEARNING.value, Stage.MONITORING.value, Stage.CLOSED.value}
    entries, meetings, points, documents = [], [], [], []
    for debrief_id, incident, stage in debriefs:
        for i in range(entries_per_debrief):
            entries.append({
                "debrief_id": debrief_id, "entry_date": incident - timedelta(days=rnd.randint(1, 1500)),
                "entry_time": None, "date_precision": "exact", "agency_id": rnd.choice(agencies),
                "contact_type": rnd.choice(list(ContactType)).value, "summary": f"Synthetic contact {i}.",
                "missed_opportunity": rnd.random() < .08, "good_practice": rnd.random() < .05,
                "key_issue": rnd.random() < .06, "turning_point": False, "verified": True,
                "created_at": utcnow(), "updated_at": utcnow(), "version": 1})
        if stage not in later:
            continue
        held = incident + timedelta(days=rnd.randint(8, 70))
        meetings.append({"debrief_id": debrief_id, "uid": f"synthetic-{debrief_id}@hpd",
                         "starts_at": datetime.combine(held, time(10), tzinfo=timezone.utc), "duration_minutes": 120,
                         "sequence": 0, "created_at": utcnow(), "version": 1})
        for n in range(1, rnd.randint(2, 4)):
            points.append({"debrief_id": debrief_id, "number": n, "statement": "Synthetic learning.",
                           "kind": "improvement" if n % 3 else "good_practice",
                           "repeat": "new" if rnd.random() < .8 else "repeat_open",
                           "created_at": datetime.combine(held + timedelta(days=3), time(9), tzinfo=timezone.utc),
                           "version": 1})
        documents.append({"debrief_id": debrief_id, "number": 1, "internal_docx": b"", "shared_docx": b"",
                          "internal_html": "", "shared_html": "", "dissemination_plan": "Synthetic",
                          "issued_at": datetime.combine(held + timedelta(days=rnd.randint(10, 120)), time(12),
                                                        tzinfo=timezone.utc)})
    for start in range(0, len(entries), 5000):
        db.session.execute(insert(ChronologyEntry), entries[start:start + 5000])
    if meetings:
        db.session.execute(insert(Meeting), meetings)
        meeting_ids = db.session.scalars(select(Meeting.id).where(Meeting.uid.like("synthetic-%"),
                                                                  Meeting.debrief_id > after_id)).all()
        db.session.execute(insert(Invitee), [
            {"meeting_id": m, "name": "Partner attendee", "agency": "Housing", "is_partner": True,
             "attendance": "attended" if rnd.random() < .6 else "apologies", "invited_at": utcnow()}
            for m in meeting_ids])
        db.session.execute(insert(LearningPoint), points)
        point_ids = db.session.scalars(select(LearningPoint.id).where(LearningPoint.statement == "Synthetic learning.",
                                                                      LearningPoint.debrief_id > after_id)).all()
        db.session.execute(insert(learning_theme), [{"learning_id": p, "theme_id": rnd.choice(themes)} for p in point_ids])
        db.session.execute(insert(LearningDocument), documents)
        doc_ids = db.session.scalars(select(LearningDocument.id).where(LearningDocument.dissemination_plan == "Synthetic",
                                                                       LearningDocument.debrief_id > after_id)).all()
        db.session.execute(insert(Dissemination), [
            {"document_id": d, "method": "briefing", "audience": "Response officers", "on": date.today(), "by": "Synthetic"}
            for d in doc_ids if rnd.random() < .7])
    db.session.commit()
