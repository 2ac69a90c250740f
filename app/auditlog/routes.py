from flask import request
from flask_login import current_user

from app import audit
from app.auditlog import bp, services
from app.auditlog.forms import AuditExportForm, AuditFilterForm, AuditVerifyForm
from app.exports import csv_response
from app.extensions import db
from app.htmx import render
from app.models import Role, utcnow
from app.permissions import policy

PAGE_SIZE = 100


@bp.route("/")
@policy(Role.AUDITOR)
def index():
    audit.log_consultation("audit_event", None, action="audit.view")
    form = AuditFilterForm(request.args)
    valid = form.validate()
    page = max(form.page.data or 1, 1) if valid else 1
    stmt = services.filtered(form if valid else AuditFilterForm(formdata=None), current_user)
    result = db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False)
    export_form = AuditExportForm(formdata=None, data=form.data)
    return render("auditlog/index.html", "auditlog/_results.html", form=form, result=result,
                  export_form=export_form, status=200 if valid else 422)


@bp.route("/export", methods=["POST"])
@policy(Role.AUDITOR)
def export():
    form = AuditExportForm()
    if not form.validate_on_submit():
        filter_form = AuditFilterForm(formdata=None, data=form.data)
        result = db.paginate(services.filtered(filter_form, current_user), page=1, per_page=PAGE_SIZE,
                             error_out=False)
        return render("auditlog/index.html", form=filter_form, result=result, export_form=form, status=422)
    stmt = services.filtered(form, current_user)
    audit.disclosure("audit_event", None, recipient=form.recipient.data, reason=form.reason.data,
                     action="audit.export")
    response = csv_response(services.EXPORT_HEADER, services.export_rows(stmt),
                            f"audit-log-{utcnow():%Y%m%d-%H%M%S}.csv")
    db.session.commit()
    return response


@bp.route("/integrity")
@policy(Role.AUDITOR)
def integrity():
    """Check the hash chain from the first row (and against any anchors given)."""
    from app import audit_chain

    form = AuditVerifyForm(request.args)
    verdict = None
    if request.args.get("check") and form.validate():
        audit.log_consultation("audit_event", None, action="audit.verify")
        verdict = audit_chain.verify(getattr(form, "parsed", []))
        if verdict.intact:
            audit_chain.log.info("audit verified intact by user_account %s, anchor %s", current_user.id,
                                 verdict.anchor)
        else:
            audit_chain.log.error("audit verification by user_account %s failed: %d problem(s)",
                                  current_user.id, len(verdict.problems))
    return render("auditlog/integrity.html", form=form, verdict=verdict,
                  status=422 if request.args.get("check") and form.errors else 200)
