"""The dashboard and its drill-downs, and each chart's data as a marked CSV."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, redirect, render_template, request, url_for
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from app import audit, disclosure, process_settings
from app.debriefs.timeliness import today
from app.exports import csv_response
from app.extensions import db
from app.governance import bp, dashboard as board_figures
from app.governance.drill import LIMIT, UnknownMeasure, action_rows, debrief_rows, drill
from app.governance.forms import DashboardForm, DownloadForm
from app.governance import action_measures
from app.models import Category, Context, Role
from app.permissions import policy

OVERSEERS = (Role.REVIEWER, Role.WORKING_GROUP, Role.BOARD)
SCOPE_ARGS = ("period", "quarter", "fy", "from", "to", "category", "context")


def _form(args) -> DashboardForm:
    return DashboardForm(MultiDict([(k, v) for k, v in args.items(multi=True) if k in SCOPE_ARGS]), today())


class WhichLinks:
    """Links to the list behind each figure. A ten-year dashboard has several hundred of them, so the
    scope's part of the query string is encoded once per page, and each drill-down argument once."""

    def __init__(self, scope_args: dict):
        self.base = url_for("governance.which")
        self.scope = scope_args
        self.scope_query = urlencode(scope_args)
        self.pairs: dict[tuple[str, str], str] = {}

    def _pair(self, key: str, value) -> str:
        found = self.pairs.get((key, value))
        if found is None:
            found = self.pairs[(key, value)] = urlencode({key: value})
        return found

    def __call__(self, drill: dict) -> str:
        if self.scope.keys() & drill.keys():  # a bucket's figure: its own dates replace the period's
            return f"{self.base}?{urlencode({**self.scope, **drill})}"
        return f"{self.base}?{self.scope_query}&" + "&".join(self._pair(k, v) for k, v in drill.items())

    # The figures themselves, as links. Written here rather than as template macros: a macro call costs
    # about 50 microseconds and the ten-year page has some 600 figures.
    def num(self, figure, text=None) -> Markup:
        shown = escape(figure.value if text is None else text)
        if figure.drill is None:
            return shown
        return Markup(f'<a href="{escape(self(figure.drill))}">{shown}</a>')

    def pct(self, figure) -> Markup:
        if not figure.of:
            return Markup('<span class="muted">none in the period</span>')
        return Markup(f'{self.num(figure, f"{figure.percent:.0f}%")} '
                      f'<span class="muted small">({int(figure.value or 0)} of {int(figure.of)})</span>')


def _page(form: DashboardForm, download_form: DownloadForm, failed: str | None = None, status: int = 200):
    if not form.validate():
        return render_template("governance/dashboard.html", form=form, figures=None), 422
    scope = form.scope()
    audit.log_consultation("dashboard", None, action="dashboard.view", reason=scope.period.label)
    figures = board_figures.compute(scope, process_settings.current(), today())
    return render_template("governance/dashboard.html", form=form, figures=figures, scope=scope,
                           download_form=download_form, failed_download=failed, Category=Category,
                           Context=Context, action_columns=action_measures.COLUMNS,
                           which=WhichLinks(scope.args())), status


@bp.route("/dashboard")
@policy(*OVERSEERS)
def dashboard():
    return _page(_form(request.args), DownloadForm(formdata=None))


@bp.route("/dashboard/which")
@policy(*OVERSEERS)
def which():
    """The debriefs or actions behind one figure."""
    if not request.args.get("measure"):  # no figure chosen: the figures
        return redirect(url_for("governance.dashboard", **{k: v for k, v in request.args.items() if k in SCOPE_ARGS}))
    form = _form(request.args)
    if not form.validate():
        abort(404)
    scope = form.scope()
    try:
        d = drill(scope, request.args, process_settings.current(), today())
    except UnknownMeasure:
        abort(404)
    audit.log_consultation("dashboard", None, action="dashboard.drill", reason=d.title)
    rows, total = action_rows(d) if d.kind == "actions" else debrief_rows(d)
    audit.shown([row.id for row in rows] if d.kind == "actions" else [r.id for r, _ in rows])
    back = url_for("governance.dashboard", **{k: v for k, v in request.args.items() if k in SCOPE_ARGS})
    return render_template("governance/which.html", d=d, rows=rows, total=total, limit=LIMIT, back=back)


@bp.route("/dashboard/data/<chart>.csv", methods=["POST"])
@policy(*OVERSEERS)
def download(chart: str):
    """One chart's figures as a marked CSV, recorded as a disclosure to the named recipient."""
    if chart not in board_figures.TABLES:
        abort(404)
    form = _form(request.args)
    download_form = DownloadForm()
    if not form.validate():
        abort(404)
    if not download_form.validate_on_submit():
        return _page(form, download_form, failed=chart, status=422)
    scope = form.scope()
    figures = board_figures.compute(scope, process_settings.current(), today())
    header, rows = board_figures.TABLES[chart](figures)
    audit.disclosure("dashboard", None, recipient=download_form.recipient.data, action=f"dashboard.csv.{chart}",
                     reason=f"{chart} figures, {scope.period.label}")
    db.session.commit()
    disclosure.pseudonymise_response()  # board outputs never carry names, whoever downloads them
    return csv_response(header, rows, f"dashboard-{chart}-{scope.period.start:%Y%m%d}-{scope.period.end:%Y%m%d}.csv")
