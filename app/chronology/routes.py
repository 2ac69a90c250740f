"""The chronology page and its inline-edited rows (htmx edit-row pattern, with plain-form twins)."""
from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import audit
from app.chronology import bp, services
from app.chronology.forms import ChronologyFilterForm, EntryForm, ExportForm
from app.debriefs.timeliness import today
from app.extensions import db
from app.forms import submitted_version
from app.htmx import is_htmx
from app.models import ChronologyEntry, Debrief, Role
from app import disclosure
from app.permissions import CASE_READERS, get_or_404, may_run_debriefs, policy



def _entry(debrief: Debrief, entry_id: int, deleted_ok: bool = False) -> ChronologyEntry:
    entry = db.session.get(ChronologyEntry, entry_id)
    if entry is None or entry.debrief_id != debrief.id or (entry.deleted_at and not deleted_ok):
        abort(404)
    return entry


def _context(debrief: Debrief, **extra) -> dict:
    from app.models import FLAGS

    return {"debrief": debrief, "may_edit": may_run_debriefs(), "FLAG_CHOICES": list(FLAGS.items()), **extra}


def _form(debrief: Debrief, formdata=None, **kwargs) -> EntryForm:
    form = EntryForm(formdata, **kwargs) if formdata is not None else EntryForm(formdata=None, **kwargs)
    form.set_choices(services.agencies_for(debrief), debrief.subjects)
    return form


def _row(debrief: Debrief, entry: ChronologyEntry, status: int = 200, recount: bool = False, new: bool = False):
    """The row alone; after an add, delete or undo also the new total, out of band. A `new` row is moved into
    date order by the page (static/js/chronology.js)."""
    total = services.count(debrief) if recount else None
    return render_template("chronology/_row.html", e=entry, oob_total=total, new=new, **_context(debrief)), status


def _row_form(debrief: Debrief, form, entry: ChronologyEntry | None, status: int = 200, conflict=None):
    template = "chronology/_row_form.html" if is_htmx() else "chronology/entry_page.html"
    return render_template(template, form=form, entry=entry, conflict=conflict, **_context(debrief)), status


def _back_to_table(debrief: Debrief, entry_id: int | None = None):
    anchor = f"#entry-{entry_id}" if entry_id else ""
    return redirect(url_for("chronology.page", debrief_id=debrief.id) + anchor)


@bp.route("/debriefs/<int:debrief_id>/chronology")
@policy(*CASE_READERS)
def page(debrief_id: int):
    audit.log_consultation("debrief", debrief_id, action="chronology.view")
    debrief = get_or_404(Debrief, debrief_id)
    context = _table_context(debrief, request.args)
    if is_htmx():
        return render_template("chronology/_table.html", **context)
    return render_template("chronology/page.html", **context)


def _table_context(debrief: Debrief, args) -> dict:
    """The rows the filters in `args` select, with what the table and page need."""
    form = ChronologyFilterForm(args)
    form.set_choices(services.agencies_for(debrief), debrief.subjects)
    valid = form.validate()
    filters = services.Filters(agency=form.agency.data, subject=form.subject.data, flag=form.flag.data or None,
                               key=bool(form.key.data)) if valid else services.Filters()
    rows = services.entries(debrief, filters)
    total = services.count(debrief)
    mask = disclosure.text_mask_for(debrief.id)
    q = (form.q.data or "").strip().casefold() if valid else ""
    if q:  # searched in what this user sees, so a hidden name can never be found
        rows = [e for e in rows if q in " ".join(mask(t) for t in (e.summary, e.action_taken, e.outcome,
                                                                    e.significance, e.source_ref,
                                                                    e.source_system) if t).casefold()]
    return _context(debrief, rows=rows, form=form, total=total, export_form=ExportForm(formdata=None),
                    months=services.months(rows))


@bp.route("/debriefs/<int:debrief_id>/chronology/new")
@policy(Role.REVIEWER)
def new_entry(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    if request.args.get("cancel"):
        return ""  # htmx: the unsaved new row goes away
    audit.log_consultation("debrief", debrief_id, action="chronology.new_entry_view")  # the people to link
    source = request.args.get("from", type=int)
    if source:  # "Duplicate": a new entry starting from another one's fields
        original = _entry(debrief, source)
        form = _form(debrief, obj=original, version="0")
        form.subject_ids.data = [s.id for s in original.subjects]
        if not is_htmx():
            return _row_form(debrief, form, None)
        # The original goes back to its read state, and the copy opens above the table.
        return (render_template("chronology/_row.html", e=original, oob_total=None, **_context(debrief))
                + _row_form(debrief, form, None)[0])
    form = _form(debrief, entry_date=today(), version="0")
    return _row_form(debrief, form, None)


@bp.route("/debriefs/<int:debrief_id>/chronology", methods=["POST"])
@policy(Role.REVIEWER)
def create_entry(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    form = _form(debrief, request.form)
    if not form.validate_on_submit():
        return _row_form(debrief, form, None, 422)
    data = form.data_for_service()
    entry = services.create_entry(debrief, data, current_user._get_current_object())
    if not is_htmx():
        flash("Entry added.", "success")
        return _back_to_table(debrief, entry.id)
    debrief = get_or_404(Debrief, debrief_id)
    body, status = _row(debrief, db.session.get(ChronologyEntry, entry.id), recount=True, new=True)
    message = "Entry added in date order."
    if request.args.get("another"):  # "Save and add another": a fresh row, same day and agency
        next_form = _form(debrief, entry_date=data["entry_date"], agency_id=data["agency_id"],
                          date_precision=data["date_precision"], version="0")
        body += _row_form(debrief, next_form, None)[0]
        message += " Next entry: same day and agency."
    return body, status, {"HX-Trigger": json.dumps({"showMessage": {"level": "info", "message": message}})}


@bp.route("/debriefs/<int:debrief_id>/chronology/<int:entry_id>")
@policy(*CASE_READERS)
def entry_row(debrief_id: int, entry_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    entry = _entry(debrief, entry_id)
    audit.log_consultation("chronology_entry", entry_id)
    if not is_htmx():
        return _back_to_table(debrief, entry.id)
    return _row(debrief, entry)


@bp.route("/debriefs/<int:debrief_id>/chronology/<int:entry_id>/edit")
@policy(Role.REVIEWER)
def edit_entry(debrief_id: int, entry_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    entry = _entry(debrief, entry_id)
    audit.log_consultation("chronology_entry", entry_id, action="chronology_entry.edit_view")
    form = _form(debrief, obj=entry, version=entry.version)
    form.subject_ids.data = [s.id for s in entry.subjects]
    return _row_form(debrief, form, entry)


@bp.route("/debriefs/<int:debrief_id>/chronology/<int:entry_id>", methods=["POST"])
@policy(Role.REVIEWER)
def save_entry(debrief_id: int, entry_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    entry = _entry(debrief, entry_id)
    form = _form(debrief, request.form)
    if not form.validate_on_submit():
        return _row_form(debrief, form, entry, 422)
    version = submitted_version(form)
    try:
        services.update_entry(entry, form.data_for_service(), version)
    except services.StaleEdit:
        db.session.rollback()
        debrief = get_or_404(Debrief, debrief_id)
        current = _entry(debrief, entry_id)
        form.version.data = current.version  # saving again overwrites knowingly
        return _row_form(debrief, form, current, 409, conflict=current)
    if not is_htmx():
        flash("Entry saved.", "success")
        return _back_to_table(debrief, entry_id)
    debrief = get_or_404(Debrief, debrief_id)
    body, status = _row(debrief, _entry(debrief, entry_id), recount=True)
    return body, status, {"HX-Trigger": json.dumps({"showMessage": {"level": "info", "message": "Entry saved."}})}


@bp.route("/debriefs/<int:debrief_id>/chronology/<int:entry_id>/delete", methods=["POST"])
@policy(Role.REVIEWER)
def delete_entry(debrief_id: int, entry_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    entry = _entry(debrief, entry_id)
    services.delete_entry(entry)
    if not is_htmx():
        flash("Entry deleted.", "success")
        return _back_to_table(debrief)
    entry = _entry(get_or_404(Debrief, debrief_id), entry_id, deleted_ok=True)
    return render_template("chronology/_row_deleted.html", e=entry, oob_total=services.count(debrief),
                           **_context(debrief))


@bp.route("/debriefs/<int:debrief_id>/chronology/<int:entry_id>/restore", methods=["POST"])
@policy(Role.REVIEWER)
def restore_entry(debrief_id: int, entry_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    entry = _entry(debrief, entry_id, deleted_ok=True)
    if entry.deleted_at:
        services.restore_entry(entry)
    if not is_htmx():
        return _back_to_table(debrief, entry_id)
    debrief = get_or_404(Debrief, debrief_id)
    body, status = _row(debrief, _entry(debrief, entry_id), recount=True)
    return body, status, {"HX-Trigger": json.dumps({"showMessage": {"level": "info", "message": "Entry restored."}})}


@bp.route("/debriefs/<int:debrief_id>/chronology/flag", methods=["POST"])
@policy(Role.REVIEWER)
def flag_entries(debrief_id: int):
    """Flag several entries at once (key issue, missed opportunity, good practice, turning point)."""
    from app.models import FLAGS

    debrief = get_or_404(Debrief, debrief_id)
    flag = request.form.get("flag", "")
    ids = [int(i) for i in request.form.getlist("entry") if i.isdigit()]
    if not form_ok() or flag not in FLAGS:
        abort(400)
    if not ids:
        message = "Tick the entries to flag first."
    else:
        n = services.flag_entries(debrief, ids, flag)
        message = f"{n} entr{'y' if n == 1 else 'ies'} flagged as {FLAGS[flag].lower()}."
    if not is_htmx():
        flash(message, "success" if ids else "error")
        return _back_to_table(debrief)
    # The table again, with the filters it was showing, and the count of what changed announced.
    from urllib.parse import parse_qs, urlsplit
    from werkzeug.datastructures import MultiDict

    query = parse_qs(urlsplit(request.headers.get("HX-Current-URL", "")).query)
    context = _table_context(get_or_404(Debrief, debrief_id), MultiDict([(k, v) for k, vs in query.items() for v in vs]))
    return render_template("chronology/_table.html", **context), 200, {
        "HX-Trigger": json.dumps({"showMessage": {"level": "info" if ids else "error", "message": message}})}


def form_ok() -> bool:
    from app.forms import BaseForm

    return BaseForm().validate_on_submit()
