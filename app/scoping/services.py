"""Subjects and parameters. Each function owns its transaction and its audit rows."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app import audit
from app.extensions import db
from app.versioning import StaleEdit, apply_edit
from app.models import DEFAULT_EXCLUSIONS, Agency, Debrief, Parameters, ParametersRevision, Subject, SubjectRole, utcnow
from app.models.scoping import pseudonym_letters

SUBJECT_FIELDS = ("role", "real_name", "date_of_birth", "aliases", "address", "phone")
PARAMETER_FIELDS = ("review_from", "review_to", "key_questions", "exclusions", "sio_name", "sio_consulted_on",
                    "sio_conditions", "disclosure_officer_informed_on")




class ReasonNeeded(Exception):
    """Parameters already signed off change only with a recorded reason."""


def _is_child(role: SubjectRole, dob: date | None, on: date) -> bool:
    if role is SubjectRole.CHILD:
        return True
    if dob is None:
        return False
    age = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
    return age < 18


def _clean(value: str | None) -> str | None:
    """Trimmed text, one entry per line for aliases; empty is None."""
    lines = [" ".join(line.split()) for line in (value or "").splitlines()]
    return "\n".join(line for line in lines if line) or None


def add_subject(debrief: Debrief, *, role: SubjectRole, real_name: str, date_of_birth: date | None,
                aliases: str | None = None, address: str | None = None, phone: str | None = None) -> Subject:
    """Add a person; the pseudonym ("Adult A", "Child B") is allocated once and never changes."""
    locked = db.session.scalars(select(Debrief).where(Debrief.id == debrief.id).with_for_update()
                                .execution_options(populate_existing=True)).one()
    index = locked.pseudonyms_used
    locked.pseudonyms_used = index + 1
    prefix = "Child" if _is_child(role, date_of_birth, debrief.incident_date) else "Adult"
    subject = Subject(debrief_id=debrief.id, role=role.value, real_name=real_name.strip(), date_of_birth=date_of_birth,
                      aliases=_clean(aliases), address=_clean(address), phone=_clean(phone),
                      pseudonym_index=index, pseudonym=f"{prefix} {pseudonym_letters(index)}")
    db.session.add(subject)
    db.session.flush()
    audit.collection("subject", subject.id, [f for f in SUBJECT_FIELDS if getattr(subject, f) is not None])
    db.session.commit()
    return subject


def update_subject(subject: Subject, *, version: int, role: SubjectRole, real_name: str,
                   date_of_birth: date | None, aliases: str | None = None, address: str | None = None,
                   phone: str | None = None) -> list[str]:
    if subject.version != version:
        raise StaleEdit(subject)
    new = {"role": role.value, "real_name": real_name.strip(), "date_of_birth": date_of_birth,
           "aliases": _clean(aliases), "address": _clean(address), "phone": _clean(phone)}
    changed = [k for k, v in new.items() if getattr(subject, k) != v]
    if changed:
        for k in changed:
            setattr(subject, k, new[k])
        subject.version += 1
        audit.alteration("subject", subject.id, changed)
        db.session.commit()
    return changed


def remove_subject(subject: Subject) -> None:
    subject_id = subject.id
    db.session.delete(subject)
    audit.erasure("subject", subject_id, list(SUBJECT_FIELDS))
    db.session.commit()


def blank_parameters(debrief: Debrief) -> Parameters:
    """Unsaved parameters with the usual exclusions, for a first edit."""
    return Parameters(debrief_id=debrief.id, exclusions=DEFAULT_EXCLUSIONS, version=0)


def save_parameters(debrief: Debrief, data: dict, *, version: int, subject_ids: list[int], agency_ids: list[int],
                    reason: str | None, actor) -> list[str]:
    params = debrief.parameters
    if params is None:
        if version != 0:
            raise StaleEdit(None)
        params = Parameters(debrief_id=debrief.id, version=1)
        db.session.add(params)
        current_version = 0
    else:
        current_version = params.version
    if current_version != version:
        raise StaleEdit(params)
    changed = [k for k in PARAMETER_FIELDS if getattr(params, k) != data.get(k)]
    subjects = list(db.session.scalars(select(Subject).where(Subject.debrief_id == debrief.id,
                                                             Subject.id.in_(subject_ids or [-1]))))
    agencies = list(db.session.scalars(select(Agency).where(Agency.id.in_(agency_ids or [-1]))))
    if {s.id for s in params.subjects} != {s.id for s in subjects}:
        changed.append("subjects")
    if {a.id for a in params.agencies} != {a.id for a in agencies}:
        changed.append("agencies")
    if not changed:
        return []
    if params.signed_off_at is not None:
        if not (reason or "").strip():
            raise ReasonNeeded()
        params.revisions.append(ParametersRevision(changed_by_id=actor.id, reason=reason.strip(),
                                                   fields=",".join(changed)))
    for k in PARAMETER_FIELDS:
        setattr(params, k, data.get(k))
    params.subjects = subjects
    params.agencies = agencies
    if current_version:
        params.version += 1
    db.session.flush()
    audit.alteration("debrief", debrief.id, [f"parameters_{c}" for c in changed], action="parameters.update")
    db.session.commit()
    return changed


def sign_off(params: Parameters, actor) -> None:
    params.signed_off_by_id = actor.id
    params.signed_off_at = utcnow()
    params.version += 1
    audit.alteration("debrief", params.debrief_id, ["parameters_signed_off"], action="parameters.sign_off")
    db.session.commit()


def missing_for_gate(debrief: Debrief) -> list[str]:
    """What the Scoping gate still needs: parameters recorded and the SIO consulted."""
    p = debrief.parameters
    missing = []
    if p is None or not (p.review_from and p.review_to):
        missing.append("the review period")
    if p is None or not p.questions:
        missing.append("at least one key question")
    if p is None or not (p.sio_name and p.sio_consulted_on):
        missing.append("the SIO consultation (who and when)")
    if p is None or p.signed_off_at is None:
        missing.append("sign-off of the parameters")
    return missing


REVIEW_FIELDS = ("applies", "why", "lead_body", "notified_on", "reference", "status", "completed_on",
                 "output_shared_on", "agreed_on")


def save_review(debrief: Debrief, review_type, data: dict, version: int) -> list[str]:
    """Record a parallel review's details; version 0 means 'not recorded yet'."""
    from app.models import ParallelReview

    review = next((r for r in debrief.parallel_reviews if r.review_type == review_type.value), None)
    review, changed = apply_edit(review, lambda: ParallelReview(debrief_id=debrief.id,
                                                                review_type=review_type.value, version=1),
                                 REVIEW_FIELDS, data, version)
    if changed:
        db.session.flush()
        audit.alteration("parallel_review", review.id, changed, action=f"parallel_review.{review_type.value}")
        db.session.commit()
    return changed


def iopc_missing(debrief: Debrief) -> list[str]:
    """With an IOPC referral or post-incident procedure in play, the meeting waits for their agreement."""
    from app.models import ReviewType

    for r in debrief.parallel_reviews:
        if r.review_type == ReviewType.IOPC.value and r.active and r.agreed_on is None:
            return ["the timing and parameters agreed with the IOPC (recorded under Parallel reviews)"]
    return []
