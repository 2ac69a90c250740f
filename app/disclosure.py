"""The one gate between case text and everyone outside the review team.

Where it is: every response leaves through `_gate_response` (registered on the app
with `after_request`), and every email through `mail.build`. Unless the reader is
on the review team, the body (HTML, CSV, plain text, JSON, calendar files and Word
documents), the htmx trigger headers and the download's file name pass through the
masker in `app.names`, which replaces every known name, alias, initials, date of
birth, address, phone number and occurrence reference of every case subject.

How a new field goes through it: it does not need to do anything. Whatever a
template, an export or an email writes is masked on the way out, so a new column,
page or fragment cannot forget the gate. Only two things widen what a reader sees:
`reads_names()` being true (a reviewer, not "viewing as" someone else), and the
structural HTML attributes listed in `app.names` (ids, classes, URLs), which hold no
case text. Staff (owners, chairs, attendees) are not case subjects and keep their names.

Templates still choose how to present a person ("Adult A (Daniel Okafor)" for the
review team, "Adult A" for everyone else) through `reads_names()`; that is
presentation, not protection.
"""
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable

from flask import Flask, Response, current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import func, select

from app.extensions import db
from app.names import Masker, Person

# Who a reviewer may preview a page as (the "View as" switch): role value -> how the page names them.
VIEW_AS = {"partner": "a partner", "member": "a member of staff taking part", "working_group": "the working group",
           "board": "the board"}
# The pages that offer the switch: where wording others will read is written.
VIEW_AS_PAGES = frozenset({"debriefs.detail", "scoping.parameters", "chronology.page", "learning.page",
                           "learning.preview", "learning.issued"})

# Text columns that hold no case text, and why. Every other text column of every table is case text:
# the leak crawl (tests/test_disclosure_crawl.py) plants names in all of them, so a new column is proven
# masked without anyone listing it. (The gate itself masks every column alike.)
NOT_CASE_TEXT = {
    "agency": "reference data: agency names, kept by the administrator",
    "theme": "reference data: theme names",
    "team": "reference data: owner teams and their contact addresses",
    "user_account": "staff accounts: staff are not case subjects",
    "user_role": "role names",
    "user_session": "session bookkeeping",
    "login_throttle": "sign-in throttling keys",
    "setting": "process settings",
    "reminder_sent": "which reminder went to which address, once",
    "audit_event": "identifiers and field names only, never values (app.audit)",
    "audit_chain": "the audit chain's head: a position and a hash",
    "retention_category": "reference data: the force's retention schedule",
    "disposal.erased": "table and column names with counts of rows, never content",
    "subject": "the names and identifiers themselves: what the masker looks for",
    "debrief.reference": "the system's own case number",
    "stage_change.from_stage": "a stage value",
    "stage_change.to_stage": "a stage value",
    "parameters_revision.fields": "field names",
    "action_note.from_status": "an action status value",
    "action_note.to_status": "an action status value",
    "meeting.uid": "the calendar identifier the system generates",
    "invitee.email": "the address an invitation is sent to",
}



def case_text_columns(table):
    """The columns of `table` that may hold case text: every text column, except those NOT_CASE_TEXT names
    and those a check constraint limits to a list of values (stages, statuses)."""
    import re

    import sqlalchemy as sa

    if table.name in NOT_CASE_TEXT:
        return []
    limited = set()
    for constraint in table.constraints:
        if isinstance(constraint, sa.CheckConstraint):
            limited |= set(re.findall(r"(\w+) IN \(", str(constraint.sqltext)))
    return [c for c in table.columns if isinstance(c.type, sa.String) and c.name not in limited
            and f"{table.name}.{c.name}" not in NOT_CASE_TEXT]


_TEXT_TYPES = ("text/html", "text/csv", "text/plain", "text/calendar", "application/json")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_TRIGGER_HEADERS = ("HX-Trigger", "HX-Trigger-After-Settle", "HX-Trigger-After-Swap")
_cache: dict = {}


# ---- who is reading --------------------------------------------------------------

def reads_names(user=None) -> bool:
    """True only for the review team reading as themselves: the one case where names pass the gate."""
    from app.models import Role

    if user is not None:
        return user.has_role(Role.REVIEWER)
    if not has_request_context():
        return False
    if "disclosure_reads_names" not in g:
        g.disclosure_reads_names = (current_user.is_authenticated and current_user.has_role(Role.REVIEWER)
                                    and viewing_as() is None and not g.get("disclosure_pseudonymise"))
    return g.disclosure_reads_names


def viewing_as() -> str | None:
    """The audience a reviewer chose to preview this page as (`?view_as=partner`), or None."""
    if not has_request_context():
        return None
    return g.get("disclosure_view_as")


def pseudonymise_response() -> None:
    """This response is the shared version (a pseudonymised export): mask it even for the review team."""
    g.disclosure_pseudonymise = True
    g.pop("disclosure_reads_names", None)


def set_context(debrief_id: int | None) -> None:
    """The case a page is about: a name shared with another case's subject resolves to this case's person."""
    if has_request_context() and debrief_id is not None and "disclosure_context" not in g:
        g.disclosure_context = debrief_id


def context() -> int | None:
    return g.get("disclosure_context") if has_request_context() else None


def _case(debrief_id: int | None) -> int | None:
    """The case a text belongs to: the one named, or else the page's."""
    return debrief_id if debrief_id is not None else context()


# ---- the masker over every case subject -------------------------------------------

def masker() -> Masker:
    """The masker for every subject of every case: checked once per request (one small query) and rebuilt only
    when subjects or references have changed."""
    if has_request_context():
        if "disclosure_masker" not in g:
            g.disclosure_masker = _current_masker()
        return g.disclosure_masker
    return _current_masker()


def fresh_masker() -> Masker:
    """The masker as the database stands at this moment, not as it stood when the request began: for what is
    frozen (an issued briefing cut to length must be masked before it is cut, with every subject there is)."""
    return _current_masker()


def _current_masker() -> Masker:
    from app.models import Debrief, Subject

    key = (str(db.engine.url), _fingerprint())
    cached = _cache.get("masker")  # one (key, masker) pair, replaced whole: a thread never sees a mixed pair
    if cached is not None and cached[0] == key:
        return cached[1]
    people = [Person(key=s.id, debrief_id=s.debrief_id, pseudonym=s.pseudonym, real_name=s.real_name,
                     aliases=tuple(s.alias_list), date_of_birth=s.date_of_birth, address=s.address, phone=s.phone)
              for s in db.session.scalars(select(Subject))]
    refs = db.session.execute(select(Debrief.id, Debrief.occurrence_ref)
                              .where(Debrief.occurrence_ref.is_not(None))).all()
    built = Masker(people, [(i, r) for i, r in refs if r and r.strip()])
    _cache["masker"] = (key, built)
    return built


def _fingerprint() -> tuple:
    """Changes whenever a subject or a debrief is added, edited (its version moves) or removed, and when the
    tables are emptied and refilled (a restore, a reset): the newest creation time then moves even if the
    counts, versions and ids come out the same."""
    from app.models import Debrief, Subject

    columns = [select(agg).scalar_subquery() for model in (Subject, Debrief)
               for agg in (func.count(model.id), func.coalesce(func.sum(model.version), 0),
                           func.coalesce(func.max(model.id), 0), func.max(model.created_at))]
    return tuple(db.session.execute(select(*columns)).one())


def mask_text(text: str | None, debrief_id: int | None = None) -> str:
    """Plain text as someone outside the review team may read it."""
    return masker().mask(text, _case(debrief_id))


def mask_html(markup: str, debrief_id: int | None = None) -> str:
    return masker().mask(markup, _case(debrief_id), html=True)


def text_mask_for(debrief_id: int | None) -> Callable[[str | None], str]:
    """A function masking plain text of one case (for filtering searches on what the reader sees)."""
    if reads_names():
        return lambda text: text or ""
    m = masker()
    return lambda text: m.mask(text, debrief_id)


def mask_docx(data: bytes, debrief_id: int | None = None) -> bytes:
    """A Word file with every name masked in its text, headers, footers and properties."""
    m, ctx = masker(), _case(debrief_id)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename.endswith(".xml") or item.filename.endswith(".rels"):
                content = m.mask(content.decode("utf-8"), ctx, html=True).encode("utf-8")
            dst.writestr(item, content)
    return out.getvalue()


def mask_calendar(text: str, debrief_id: int | None = None) -> str:
    """An iCalendar file: unfold its lines so a name split by folding is still found, mask, fold again."""
    unfolded = text.replace("\r\n ", "").replace("\r\n\t", "")
    masked = masker().mask(unfolded, _case(debrief_id))
    return "\r\n".join(_fold_line(line) for line in masked.split("\r\n"))


def _fold_line(line: str) -> str:
    out, current = [], ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > 75:
            out.append(current)
            current = " " + ch
        else:
            current += ch
    out.append(current)
    return "\r\n".join(out)


def mask_attachment(data: bytes, mimetype: str, debrief_id: int | None = None) -> bytes:
    """A file leaving by email: calendar, Word and text files masked; anything else refused."""
    kind = mimetype.split(";")[0].strip()
    if kind == "text/calendar":
        return mask_calendar(data.decode("utf-8"), debrief_id).encode("utf-8")
    if kind == DOCX_TYPE:
        return mask_docx(data, debrief_id)
    if kind.startswith("text/") or kind == "application/json":
        return mask_text(data.decode("utf-8"), debrief_id).encode("utf-8")
    raise ValueError(f"no disclosure rule for email attachments of type {kind}")


def _mask_json(value, m: Masker, ctx):
    if isinstance(value, str):
        return m.mask(value, ctx)
    if isinstance(value, list):
        return [_mask_json(v, m, ctx) for v in value]
    if isinstance(value, dict):
        return {k: _mask_json(v, m, ctx) for k, v in value.items()}
    return value


def mask_json_text(text: str, debrief_id: int | None = None) -> str:
    m, ctx = masker(), _case(debrief_id)
    if text.lstrip().startswith(("{", "[")):  # htmx reads anything else as a list of event names
        try:
            return json.dumps(_mask_json(json.loads(text), m, ctx))
        except ValueError:
            pass
    return m.mask(text, ctx)


# ---- telling a reviewer, as they type, what others will see ------------------------

def name_check_url() -> str | None:
    """Where a form field asks which names it holds: for a reviewer writing about one case."""
    from flask import url_for

    if reads_names() and context() is not None:
        return url_for("scoping.check_names", debrief_id=context())
    return None


def names_found(text: str | None, debrief_id: int | None = None) -> list[tuple[str, str]]:
    """Each different name in the text, with what everyone outside the review team will see instead."""
    seen: dict[str, str] = {}
    for hit in masker().find(text, _case(debrief_id)):
        seen.setdefault(" ".join(hit.found.split()), hit.replacement)
    return list(seen.items())


# ---- the gate on every response ---------------------------------------------------

def _gate_response(response: Response) -> Response:
    if reads_names() or request.endpoint == "static":
        return response
    try:
        for header in _TRIGGER_HEADERS:
            if header in response.headers:
                response.headers[header] = mask_json_text(response.headers[header])
        if "Content-Disposition" in response.headers:
            response.headers["Content-Disposition"] = mask_text(response.headers["Content-Disposition"])
        if response.direct_passthrough or response.is_streamed:
            return response
        mimetype = response.mimetype or ""
        if mimetype in _TEXT_TYPES:
            body = response.get_data(as_text=True)
            if mimetype == "text/html":
                body = mask_html(body)
            elif mimetype == "text/calendar":
                body = mask_calendar(body)
            elif mimetype == "application/json":
                body = mask_json_text(body)
            else:
                body = mask_text(body)
            response.set_data(body)
        elif mimetype == DOCX_TYPE:
            response.set_data(mask_docx(response.get_data()))
    except Exception:  # noqa: BLE001 - fail closed: nothing unmasked leaves
        current_app.logger.exception("disclosure gate failed; response withheld")
        db.session.rollback()
        return Response("The page could not be prepared. Try again.", status=500, mimetype="text/plain")
    return response


def _read_view_as():
    """A reviewer's "View as" choice, for reading only: it narrows what is shown, never what is allowed.

    A page the chosen audience may not open at all says so instead of showing it.
    """
    from flask import render_template

    from app.models import Role
    from app.permissions import policy_of

    choice = request.args.get("view_as")
    if not (choice in VIEW_AS and request.method == "GET" and request.endpoint in VIEW_AS_PAGES
            and current_user.is_authenticated and current_user.has_role(Role.REVIEWER)):
        return None
    g.disclosure_view_as = choice
    declared = policy_of(current_app.view_functions[request.endpoint])
    if declared is not None and declared.roles and Role(choice) not in declared.roles:
        return render_template("view_as_closed.html", audience=VIEW_AS[choice])
    return None


def view_as_context() -> dict:
    """For the base template: the switch on the pages that offer it, and the banner while it is on."""
    from app.models import Role

    if not (has_request_context() and current_user.is_authenticated and current_user.has_role(Role.REVIEWER)):
        return {"view_as": None, "view_as_offered": False}
    choice = viewing_as()
    return {"view_as": choice, "view_as_label": VIEW_AS.get(choice), "VIEW_AS": VIEW_AS,
            "view_as_offered": request.endpoint in VIEW_AS_PAGES}


def init_disclosure(app: Flask) -> None:
    app.before_request(_read_view_as)
    app.after_request(_gate_response)
    app.context_processor(view_as_context)
    app.jinja_env.globals["names_found"] = names_found  # the form macro's "will show as" hint
