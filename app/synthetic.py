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
