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
