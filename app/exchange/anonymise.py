"""What is taken out of a learning statement before it leaves the force in an exchange file.

First the disclosure masker (app.disclosure): every case subject's name, alias, initials, date of birth,
address, phone number and occurrence reference becomes the subject's pseudonym or a placeholder. Then what
identifies the case rather than a person: our debrief and action references, the policing areas we use,
street addresses and postcodes, and dates or times finer than a month.
"""
from __future__ import annotations

import re

from app.disclosure import mask_text

_MONTHS = ("jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
           "|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_STREET = ("road|rd|street|st|lane|ln|close|court|ct|way|avenue|ave|drive|dr|crescent|place|grove|gardens|terrace"
           "|walk|row|square|sq|hill|park|estate|mews|rise|view|parade|green|fields|wharf|quay|towpath")

PATTERNS = [
    # Our own references: debriefs and actions (HPD-2026-014, HPD-2026-014-A03).
    (re.compile(r"\bHPD-\d{4}-\d{1,5}(?:-A\d{1,3})?\b", re.IGNORECASE), "[reference]"),
    # Dates to the day: 14/03/2026, 2026-03-14, 14 March 2026, 14th of March, March 14th; weekdays; times.
    (re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"), "[date]"),
    (re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b"), "[date]"),
    (re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+(?:{_MONTHS})\b\.?(?:,?\s+\d{{4}})?", re.IGNORECASE),
     "[date]"),
    (re.compile(rf"\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?", re.IGNORECASE), "[date]"),
    (re.compile(rf"\b(?:{_DAYS})\b", re.IGNORECASE), "[day]"),
    (re.compile(r"\b(?:[01]?\d|2[0-3])[:.][0-5]\d\b(?:\s*(?:am|pm|hrs|hours))?", re.IGNORECASE), "[time]"),
    # Anything shaped like a log, crime or occurrence number (letters and digits joined by / or -).
    (re.compile(r"\b[A-Z]{0,6}\d{2,}(?:[/-]\d{2,})+\b", re.IGNORECASE), "[reference]"),
    (re.compile(r"\b[A-Z]{1,6}[/-]\d{3,}(?:[/-]\d{2,})*\b", re.IGNORECASE), "[reference]"),
    # Places: UK postcodes, and street addresses ("Heron Street", "12 Mill Court").
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE), "[place]"),
    (re.compile(rf"\b(?:\d+[a-z]?,?\s+)?(?:[A-Z][\w'-]*\s+){{1,3}}(?i:{_STREET})\b\.?"), "[place]"),
]


def anonymise(text: str, debrief_id: int, areas: list[str], titles: list[str] | None = None) -> str:
    """The statement as it may leave the force. `areas`: every policing area name the force uses; `titles`:
    the case's title (a street name in it is a place)."""
    out = mask_text(text, debrief_id)
    for title in titles or []:
        if title and len(title) > 3:
            out = re.sub(re.escape(title), "[case]", out, flags=re.IGNORECASE)
    for pattern, placeholder in PATTERNS:
        out = pattern.sub(placeholder, out)
    for area in sorted({a.strip() for a in areas if a and len(a.strip()) > 2}, key=len, reverse=True):
        out = re.sub(rf"\b{re.escape(area)}\b", "[area]", out, flags=re.IGNORECASE)
    return out
