"""The quarterly board pack: prepare (a live print view), issue (frozen as a numbered version), read and
download again."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import audit, disclosure, process_settings
from app.debriefs.timeliness import today
from app.extensions import db
from app.governance import bp, dashboard, pack as packs
from app.governance.cohorts import MILESTONES
from app.governance.periods import quarter
from app.governance.forms import DownloadForm, PackForm
from app.models import BoardPack, LearningKind, Role
from app.permissions import policy

READERS = (Role.REVIEWER, Role.WORKING_GROUP, Role.BOARD)
ISSUERS = (Role.REVIEWER, Role.WORKING_GROUP)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _context(**extra) -> dict:
    return {"tables": dashboard.TABLES, "milestones": list(MILESTONES), "LearningKind": LearningKind,
            "may_issue": current_user.has_role(*ISSUERS), "quarter_label": lambda d: quarter(d).label, **extra}


def _quarter(value: str | None) -> date | None:
    try:
        year, month = (int(x) for x in (value or "").split("-"))
        return date(year, month, 1) if month in (1, 4, 7, 10) and 2000 <= year <= 2100 else None
    except ValueError:
        return None


@bp.route("/board-packs")
@policy(*READERS)
def packs_index():
    form = PackForm(formdata=None, today=today())
    return render_template("governance/packs.html", packs=packs.issued_packs(), form=form, **_context())


@bp.route("/board-packs/draft")
@policy(*READERS)
def pack_draft():
    if not request.args.get("quarter"):  # no quarter chosen yet: choose one
        return redirect(url_for("governance.packs_index"))
    start = _quarter(request.args.get("quarter"))
    if start is None:
        abort(404)
    audit.log_consultation("board_pack", None, action="board_pack.draft_view", reason=start.isoformat())
    pack = packs.build(start, process_settings.current(), today())
    form = PackForm(formdata=None, today=today(), quarter=start.strftime("%Y-%m"))
    return render_template("governance/pack_page.html", body=packs.html(pack), pack=pack, form=form,
                           draft=True, **_context())


@bp.route("/board-packs", methods=["POST"])
@policy(*ISSUERS)
def pack_issue():
    form = PackForm(today=today())
    start = _quarter(form.quarter.data)
    if not form.validate_on_submit() or start is None:
        start = start or _quarter(form.quarter.choices[1][0])
        pack = packs.build(start, process_settings.current(), today())
        return render_template("governance/pack_page.html", body=packs.html(pack), pack=pack, form=form,
                               draft=True, **_context()), 422
    row = packs.issue(start, form.questions.data or "", process_settings.current(), today(), current_user)
    flash(f"Board pack issued: {row.quarter_start:%b %Y} quarter, version {row.number}.", "success")
    return redirect(url_for("governance.pack_issued", pack_id=row.id), 303)


def _issued(pack_id: int) -> BoardPack:
    row = db.session.get(BoardPack, pack_id)
    if row is None:
        abort(404)
    return row


@bp.route("/board-packs/<int:pack_id>")
@policy(*READERS)
def pack_issued(pack_id: int):
    audit.log_consultation("board_pack", pack_id, action="board_pack.view")
    row = _issued(pack_id)
    return render_template("governance/pack_page.html", body=row.html, row=row, draft=False,
                           download_form=DownloadForm(formdata=None), **_context())


@bp.route("/board-packs/<int:pack_id>/docx", methods=["POST"])
@policy(*READERS)
def pack_docx(pack_id: int):
    row = _issued(pack_id)
    form = DownloadForm()
    if not form.validate_on_submit():
        flash("Say who the board pack is for, then download it.", "error")
        return redirect(url_for("governance.pack_issued", pack_id=pack_id) + "#download", 303)
    audit.disclosure("board_pack", row.id, recipient=form.recipient.data, action="board_pack.download")
    db.session.commit()
    disclosure.pseudonymise_response()
    name = f"board-pack-{row.quarter_start:%Y-%m}-v{row.number}.docx"
    return Response(row.docx, mimetype=DOCX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
