"""Reading an agency's chronology spreadsheet (CSV): every problem by line and column, or rows ready to add.

Nothing is stored here. The rows are checked with the same form as an entry typed
on screen, so an import can never hold what typing could not.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from app.chronology.columns import NAMES, REQUIRED
from app.chronology.forms import EntryForm
from app.models import FLAGS, ContactType, RiskLevel

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
FORMULA_START = ("=", "+", "-", "@")


LIMIT_TEXT = f"at most {MAX_BYTES // (1024 * 1024)} MB and {MAX_ROWS:,} rows"


def size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def too_large(size: int) -> str:
    return (f"The file is {size_text(size)}; one import takes {LIMIT_TEXT}. Split it into parts and import "
            "each in turn.")


@dataclass
class Problem:
    line: int
    column: str
    message: str


@dataclass
class Preview:
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = "comma"
    duplicates: list[Problem] = field(default_factory=list)  # rows already in the chronology (skipped)

    @property
    def new_rows(self) -> list[dict]:
        skipped = {d.line for d in self.duplicates}
        return [r for r in self.rows if r["line"] not in skipped]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.new_rows)


def decode(raw: bytes) -> tuple[str, str]:
    """UTF-8 (with or without a byte-order mark) or Windows-1252, the two encodings spreadsheets save."""
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise ValueError(f"The file is not UTF-8 or Windows-1252 text (unreadable byte at position {exc.start}). "
                         "Save it from the spreadsheet as \u201cCSV UTF-8\u201d and try again.") from None


DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon (spreadsheets set to a European locale) or tab: whichever splits the header line into
    the most columns."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in DELIMITER_NAMES}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


_DATE_PATTERNS = [
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), lambda m: (int(m[3]), int(m[2]), int(m[1])), "day"),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), lambda m: (int(m[1]), int(m[2]), int(m[3])), "day"),
    (re.compile(r"^(\d{1,2})/(\d{4})$"), lambda m: (int(m[2]), int(m[1]), 1), "month"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), lambda m: (int(m[1]), int(m[2]), 1), "month"),
]


def parse_date(text: str) -> tuple[date, str]:
    for pattern, parts, kind in _DATE_PATTERNS:
        m = pattern.match(text.strip())
        if m:
            try:
                return date(*parts(m)), kind
            except ValueError:
                raise ValueError(f"\u201c{text.strip()}\u201d is not a real date: check the day and the month "
                                 "(DD/MM/YYYY).") from None
    raise ValueError(f"\u201c{text.strip()}\u201d is not a date: enter DD/MM/YYYY, or MM/YYYY when only the month "
                     "is known." if text.strip() else "Enter the date as DD/MM/YYYY, or MM/YYYY when only the month "
                     "is known.")


_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}


def _unguard(text: str) -> str:
    """Undo the apostrophe our own exports put before a cell a spreadsheet would run as a formula."""
    if text.startswith("'") and text[1:2] in FORMULA_START:
        return text[1:]
    return text


def _lookup(value: str, choices: dict[str, str]) -> str | None:
    return choices.get(value.strip().casefold())


def read(raw: bytes, *, agencies, subjects, marking: str) -> Preview:
    preview = Preview()
    if not raw.strip():
        preview.problems.append(Problem(0, "", "The file is empty."))
        return preview
    if len(raw) > MAX_BYTES:
        preview.problems.append(Problem(0, "", too_large(len(raw))))
        return preview
    try:
        text, preview.encoding = decode(raw)
    except ValueError as exc:
        preview.problems.append(Problem(0, "", str(exc)))
        return preview

    agency_ids = {a.name.casefold(): a.id for a in agencies}
    subject_ids = {s.pseudonym.casefold(): s.id for s in subjects}
    contact_types = {**{c.value: c.value for c in ContactType}, **{c.label.casefold(): c.value for c in ContactType}}
    risks = {**{r.value: r.value for r in RiskLevel}, **{r.label.casefold(): r.value for r in RiskLevel}}

    delimiter = sniff_delimiter(text)
    if delimiter != ",":
        preview.delimiter = DELIMITER_NAMES[delimiter]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    data_rows = 0
    for cells in _rows(reader, preview):
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if cells[0].strip().casefold() == marking.casefold():
            continue  # the protective marking lines of a template or export
        if header is None:
            header = [c.strip().casefold().replace(" ", "_") for c in cells]
            unknown = [h for h in header if h and h not in NAMES]
            missing = sorted(REQUIRED - set(header))
            for h in unknown:
                preview.problems.append(Problem(line, h, "Unknown column: use the template's column names."))
            for h in missing:
                preview.problems.append(Problem(line, h, "This column is missing."))
            if unknown or missing:
                return preview
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            preview.problems.append(Problem(line, "", f"More than {MAX_ROWS:,} rows: split the file."))
            return preview
        row = {h: _unguard(cells[i].strip()) if i < len(cells) else "" for i, h in enumerate(header) if h}
        _read_row(preview, line, row, agency_ids, subject_ids, contact_types, risks, agencies, subjects)
    if header is None:
        preview.problems.append(Problem(0, "", "No header row: the first line must name the columns."))
    elif not preview.rows and not preview.problems:
        preview.problems.append(Problem(0, "", "The file has a header but no entries."))
    return preview


def _rows(reader, preview):
    """The file's rows; a cell too long to be anything the chronology holds ends the reading with a problem."""
    try:
        yield from reader
    except csv.Error as exc:
        limit = csv.field_size_limit()
        message = (f"A cell is longer than {limit:,} characters: no chronology field holds that much."
                   if "field limit" in str(exc) else f"The file could not be read as CSV ({exc}).")
        preview.problems.append(Problem(reader.line_num, "", message))


def _read_row(preview, line, row, agency_ids, subject_ids, contact_types, risks, agencies, subjects):
    problems_before = len(preview.problems)
    form_data = MultiDict()
    try:
        when, kind = parse_date(row.get("date", ""))
        form_data["entry_date"] = when.isoformat()
    except ValueError as exc:
        preview.problems.append(Problem(line, "date", str(exc)))
        kind = "day"
    precision = row.get("date_precision", "").casefold() or ("month" if kind == "month" else "exact")
    form_data["date_precision"] = precision
    form_data["entry_time"] = row.get("time", "")
    agency = _lookup(row.get("agency", ""), agency_ids)
    if agency is None:
        preview.problems.append(Problem(line, "agency", f"\u201c{row.get('agency', '')}\u201d is not an agency "
                                                         "on the list."))
    else:
        form_data["agency_id"] = str(agency)
    contact = _lookup(row.get("contact_type", ""), contact_types)
    form_data["contact_type"] = contact or row.get("contact_type", "")
    risk = row.get("risk_assessment", "")
    form_data["risk_assessment"] = (_lookup(risk, risks) or risk) if risk else ""
    for person in filter(None, (p.strip() for p in re.split(r"[;,]", row.get("people", "")))):
        sid = subject_ids.get(person.casefold())
        if sid is None:
            preview.problems.append(Problem(line, "people", f"\u201c{person}\u201d is not a pseudonym in this "
                                                             "debrief (add the person under Subjects first)."))
        else:
            form_data.add("subject_ids", str(sid))
    for name in (*FLAGS, "verified"):
        value = row.get(name, "").casefold()
        if value in _YES:
            form_data[name] = "y"
        elif value not in _NO:
            preview.problems.append(Problem(line, name, "Use yes or no."))
    mapping = {"source_system": "source_system", "source_ref": "source_ref", "event_summary": "summary",
               "action_taken": "action_taken", "outcome": "outcome", "significance": "significance"}
    for column, field_name in mapping.items():
        value = row.get(column, "")
        form_data[field_name] = value
        if value.startswith(FORMULA_START):
            preview.notes.append(Problem(line, column, f"Starts with \u201c{value[0]}\u201d: kept as plain text, "
                                                       "never run as a formula."))
    form = EntryForm(formdata=form_data, meta={"csrf": False})
    form.set_choices(agencies, subjects)
    if not form.validate():
        reverse = {v: k for k, v in mapping.items()} | {"entry_date": "date", "entry_time": "time",
                                                        "agency_id": "agency", "subject_ids": "people"}
        for name, errors in form.errors.items():
            column = reverse.get(name, name)
            if any(p.line == line and p.column == column for p in preview.problems):
                continue
            preview.problems.append(Problem(line, column, _explained(form[name], row.get(column, ""), errors)))
    if len(preview.problems) == problems_before:
        preview.rows.append({**form.data_for_service(), "line": line})


def _explained(field, value: str, errors: list[str]) -> str:
    """A field's error with the value that caused it and, for a list, the values it takes."""
    choices = [c.label for c in (getattr(field, "choices", None) or [])
               if isinstance(c, SelectChoice) and c.value not in ("", None)]
    shown = f"\u201c{value[:60]}{'…' if len(value) > 60 else ''}\u201d" if value else "Empty"
    if choices and value:
        return f"{shown} is not one of the allowed values: {', '.join(map(str, choices))}."
    return f"{shown}: {' '.join(errors)}" if value else " ".join(errors)
