"""The meeting's agenda and its notes per key issue."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from app import audit
from app.chronology.services import Filters, entries
from app.extensions import db
from app.forms import submitted_version
from app.meetings import bp, services
from app.meetings.forms import NoteForm
from app.models import ChronologyEntry, Debrief, MeetingNote, Role
from app.permissions import CASE_READERS, get_or_404, policy


def key_issues(debrief: Debrief) -> list[ChronologyEntry]:
    return entries(debrief, Filters(flag="key_issue"))


def good_practice(debrief: Debrief) -> list[ChronologyEntry]:
    """The chronology entries flagged good practice: the agenda's "Good practice to recognise"."""
    return entries(debrief, Filters(flag="good_practice"))


@bp.route("/debriefs/<int:debrief_id>/meeting/agenda")
@policy(*CASE_READERS)
def agenda(debrief_id: int):
    """Built from the key questions and the key issues in the chronology; printable."""
    audit.log_consultation("debrief", debrief_id, action="meeting.agenda")
    debrief = get_or_404(Debrief, debrief_id)
    return render_template("meetings/agenda.html", debrief=debrief, meeting=debrief.meeting,
                           params=debrief.parameters, issues=key_issues(debrief), good=good_practice(debrief))


def _notes_page(debrief: Debrief, status: int = 200, forms: dict | None = None, conflicts: dict | None = None):
    meeting = debrief.meeting
    notes = {n.entry_id: n for n in db.session.scalars(select(MeetingNote).where(MeetingNote.meeting_id == meeting.id))}
    issues = key_issues(debrief)
    forms = forms or {}
    for e in issues:
        if e.id not in forms:
            note = notes.get(e.id)
            forms[e.id] = NoteForm(formdata=None, obj=note, version=note.version if note else 0,
                                   prefix=f"n{e.id}")
    return render_template("meetings/notes.html", debrief=debrief, meeting=meeting, issues=issues, forms=forms,
                           notes=notes, conflicts=conflicts or {}), status


@bp.route("/debriefs/<int:debrief_id>/meeting/notes")
@policy(*CASE_READERS)
def notes(debrief_id: int):
    audit.log_consultation("debrief", debrief_id, action="meeting.notes")
    debrief = get_or_404(Debrief, debrief_id)
    if debrief.meeting is None:
        abort(404)
    return _notes_page(debrief)


@bp.route("/debriefs/<int:debrief_id>/meeting/notes/<int:entry_id>", methods=["POST"])
@policy(Role.REVIEWER)
def save_note(debrief_id: int, entry_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    if debrief.meeting is None or entry_id not in {e.id for e in key_issues(debrief)}:
        abort(404)
    form = NoteForm(prefix=f"n{entry_id}")
    if not form.validate_on_submit():
        return _notes_page(debrief, 422, forms={entry_id: form})
    try:
        services.save_note(debrief.meeting, entry_id, form.data_for_service(), submitted_version(form))
    except services.StaleEdit:
        db.session.rollback()
        debrief = get_or_404(Debrief, debrief_id)
        current = db.session.scalar(select(MeetingNote).where(MeetingNote.meeting_id == debrief.meeting.id,
                                                              MeetingNote.entry_id == entry_id))
        form.version.data = current.version if current else 0
        return _notes_page(debrief, 409, forms={entry_id: form}, conflicts={entry_id: current})
    flash("Notes saved.", "success")
    return redirect(url_for("meetings.notes", debrief_id=debrief_id) + f"#issue-{entry_id}")
