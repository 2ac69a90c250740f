"""Chronology in and out: spreadsheet template, import with preview, CSV and DOCX exports, print views."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from app import audit
from app.chronology import bp, exports, importer, services
from app.chronology.forms import ExportForm
from app import disclosure
from app.errors import render_error
from app.exports import csv_response
from app.extensions import db
from app.forms import BaseForm
from app.models import ChronologyImport, Debrief, Role, utcnow
from app.permissions import CASE_READERS, get_or_404, policy, sees_case_text


class ImportForm(BaseForm):
    """CSRF for the upload; the file itself is read from request.files."""


def _page(debrief: Debrief, status: int = 200, **context):
    from app.chronology.columns import COLUMNS, REQUIRED
    from app.models import ContactType

    context.setdefault("preview", None)
    context.setdefault("pending", None)
    if "form" not in context:  # not setdefault: building a form reads the request, which may be too large
        context["form"] = ImportForm()
    return render_template("chronology/import.html", debrief=debrief, columns=COLUMNS, required=REQUIRED,
                           contact_types=[c.label for c in ContactType],
                           agencies=[a.name for a in services.active_agencies()], limit=importer.LIMIT_TEXT,
                           **context), status


def _read(debrief: Debrief, raw: bytes) -> importer.Preview:
    preview = importer.read(raw, agencies=services.agencies_for(debrief), subjects=debrief.subjects,
                            marking=current_app.config["MARKING"])
    if not preview.problems:
        services.mark_duplicates(debrief, preview)
        if preview.rows and not preview.new_rows:
            preview.problems.append(importer.Problem(0, "", "Every row of this file is already in the chronology: "
                                                            "nothing new to add."))
    return preview


@bp.errorhandler(413)
def _too_large(exc):
    """A file over the server's request limit: the import page, saying how big it was and what is allowed."""
    debrief_id = (request.view_args or {}).get("debrief_id")
    if request.endpoint != "chronology.import_file" or debrief_id is None:
        return render_error(413)
    db.session.rollback()
    debrief = get_or_404(Debrief, debrief_id)
    # The body was never read (it is over the limit), so the new form must not try to read it either.
    return _page(debrief, 413, form=ImportForm(formdata=None),
                 file_error=importer.too_large(request.content_length or 0))


@bp.route("/debriefs/<int:debrief_id>/chronology/template.csv")
@policy(Role.REVIEWER)
def template(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    return csv_response(exports.HEADER, [], f"{debrief.reference}-chronology-template.csv")


@bp.route("/debriefs/<int:debrief_id>/chronology/import", methods=["GET", "POST"])
@policy(Role.REVIEWER)
def import_file(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    form = ImportForm()
    if request.method == "GET":
        audit.log_consultation("debrief", debrief_id, action="chronology.import_view")
        return _page(debrief, form=form)
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        return _page(debrief, 422, form=form, file_error="Choose the CSV file to import.")
    raw = upload.read()  # bounded by MAX_CONTENT_LENGTH; read whole, so the size given is the file's own
    if len(raw) > importer.MAX_BYTES:
        return _page(debrief, 413, form=form, file_error=importer.too_large(len(raw)))
    preview = _read(debrief, raw)
    if not preview.ok:
        return _page(debrief, 422, form=form, preview=preview)
    pending = ChronologyImport(debrief_id=debrief.id, user_id=current_user.id,
                               filename=(upload.filename or "upload.csv")[:200], content=raw.decode(
                                   "utf-8-sig" if preview.encoding == "UTF-8" else "cp1252"))
    db.session.add(pending)
    db.session.commit()
    return _page(get_or_404(Debrief, debrief_id), form=form, preview=preview, pending=pending)


@bp.route("/debriefs/<int:debrief_id>/chronology/import/<int:import_id>", methods=["POST"])
@policy(Role.REVIEWER)
def confirm_import(debrief_id: int, import_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    pending = db.session.get(ChronologyImport, import_id)
    if pending is None or pending.debrief_id != debrief.id or pending.user_id != current_user.id:
        abort(404)
    if not ImportForm().validate_on_submit():
        abort(400)
    if pending.imported_at is not None:
        flash("That file has already been imported.", "info")
        return redirect(url_for("chronology.page", debrief_id=debrief.id))
    preview = _read(debrief, pending.content.encode("utf-8"))  # checked again: the lists may have changed
    if not preview.ok:
        return _page(debrief, 422, preview=preview)
    pending.imported_at = utcnow()
    count = services.import_entries(debrief, preview.new_rows, current_user._get_current_object(),
                                    source=f"file {pending.filename}")
    skipped = len(preview.duplicates)
    flash(f"Imported {count} entr{'y' if count == 1 else 'ies'} from {pending.filename}."
          + (f" {skipped} already in the chronology {'was' if skipped == 1 else 'were'} not added again."
             if skipped else ""), "success")
    return redirect(url_for("chronology.page", debrief_id=debrief_id))


@bp.route("/debriefs/<int:debrief_id>/chronology/export", methods=["POST"])
@policy(Role.REVIEWER)
def export(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    form = ExportForm()
    fmt = request.form.get("format")
    if not form.validate_on_submit() or fmt not in ("csv", "docx"):
        flash("Say who the export is for, then choose CSV or Word.", "error")
        return redirect(url_for("chronology.page", debrief_id=debrief.id) + "#export"), 303
    names = form.version.data == "internal" and sees_case_text()
    entries = services.entries(debrief)
    audit.disclosure("debrief", debrief.id, recipient=form.recipient.data,
                     action=f"chronology.export_{fmt}", reason=audit.version_reason(names))
    version = "internal" if names else "shared"
    if fmt == "csv":
        response = csv_response(exports.HEADER, exports.csv_rows(entries, names=names),
                                f"{debrief.reference}-chronology-{version}.csv")
    else:
        response = Response(exports.docx_bytes(debrief, entries, names=names),
                            mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                            headers={"Content-Disposition":
                                     f'attachment; filename="{debrief.reference}-chronology-{version}.docx"'})
    if not names:
        disclosure.pseudonymise_response()  # the shared version leaves through the gate, for reviewers too
    db.session.commit()
    return response


@bp.route("/debriefs/<int:debrief_id>/chronology/print")
@policy(*CASE_READERS)
def print_view(debrief_id: int):
    audit.log_consultation("debrief", debrief_id, action="chronology.print")
    debrief = get_or_404(Debrief, debrief_id)
    return render_template("chronology/print.html", debrief=debrief, rows=services.entries(debrief),
                           key_only=False)


@bp.route("/debriefs/<int:debrief_id>/chronology/key-events")
@policy(*CASE_READERS)
def key_events(debrief_id: int):
    audit.log_consultation("debrief", debrief_id, action="chronology.key_events")
    debrief = get_or_404(Debrief, debrief_id)
    return render_template("chronology/print.html", debrief=debrief,
                           rows=services.entries(debrief, services.Filters(key=True)),
                           key_only=True)
