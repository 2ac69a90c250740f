"""The exchange page: what has been imported, and the export and import forms."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import audit, disclosure
from app.exchange import bp, services
from app.exchange.forms import ExportForm, ImportForm
from app.extensions import db
from app.models import Role, utcnow
from app.permissions import policy

# The review team runs the exchange; the administrator may see what has been imported (no case data).
VIEWERS = (Role.REVIEWER, Role.ADMIN)


def _page(status: int = 200, export_form=None, import_form=None, refused: services.Refused | None = None):
    return render_template("exchange/page.html", imports=services.imports(),
                           exportable=services.exportable_count(), force=services.force_name(),
                           export_form=export_form or ExportForm(formdata=None),
                           import_form=import_form or ImportForm(formdata=None), refused=refused,
                           may_exchange=current_user.has_role(Role.REVIEWER),
                           version=services.SCHEMA_VERSION), status


@bp.route("/exchange")
@policy(*VIEWERS)
def page():
    audit.log_consultation("exchange_import", None, action="exchange.view")
    return _page()


@bp.route("/exchange/export", methods=["POST"])
@policy(Role.REVIEWER)
def export():
    form = ExportForm()
    if not form.validate_on_submit():
        return _page(422, export_form=form)
    text = services.export(form.recipient.data, current_user._get_current_object())
    disclosure.pseudonymise_response()  # it leaves the force: pseudonyms only, for the review team too
    return Response(text, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="learning-exchange-{utcnow():%Y-%m}.json"'})


@bp.route("/exchange/import", methods=["POST"])
@policy(Role.REVIEWER)
def import_file():
    form = ImportForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        return _page(422, refused=services.Refused("Choose the exchange file (.json) to import.", []))
    try:
        imp = services.import_file(upload.read(), current_user._get_current_object())
    except services.Refused as refused:
        db.session.rollback()
        return _page(422, refused=refused)
    flash(f"Imported {imp.records} learning record{'s' if imp.records != 1 else ''} from {imp.source_force}.",
          "success")
    return redirect(url_for("exchange.page"))
