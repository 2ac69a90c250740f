"""The chronology's columns as they appear in spreadsheets (template, import, export)."""
from __future__ import annotations

from app.models import FLAGS

# (column name, what goes in it)
COLUMNS = [
    ("date", "DD/MM/YYYY; MM/YYYY for month only"),
    ("time", "HH:MM, 24-hour; blank if not known"),
    ("date_precision", "exact, approximate or month (blank: exact, or month for MM/YYYY)"),
    ("agency", "an agency name from the list"),
    ("source_system", "e.g. the recording system"),
    ("source_ref", "e.g. incident log number"),
    ("people", "pseudonyms separated by semicolons, e.g. Adult A; Child B"),
    ("contact_type", "a contact type from the list"),
    ("event_summary", "facts only, succinctly"),
    ("action_taken", "by role or rank, never by name"),
    ("risk_assessment", "none, standard, medium, high or other; blank if not known"),
    ("outcome", ""),
    ("significance", "the reviewer's analysis"),
    *[(name, "yes or no") for name in FLAGS],
    ("verified", "yes or no: checked against the source"),
]
NAMES = [name for name, _ in COLUMNS]
REQUIRED = {"date", "agency", "contact_type", "event_summary"}
