"""Spotting text that seems to name a member of staff: "PC Smith said…", "DS Jones", "social worker Mrs Ali".

Meeting notes, findings and agencies' contributions are non-attributable (the After Action Review ground rules):
they say what happened and what was learned, by role or rank, never by name. A rank, role or title followed by a
capitalised word is very probably a name, so the page warns beside the field. It only warns: a false alarm
("Officer Safety Training") must never stop a save, and a name written without a title is not caught.

Shared by every feature that takes such text; it reads no configuration and touches no database.
"""
from __future__ import annotations

import re

# Police ranks and their abbreviations, written as officers write them (case matters: "PC" is a rank,
# "pc" is not). Longer forms first so "DCI" wins over "DC".
_RANK_ABBREVIATIONS = (
    "T/DCI", "T/DI", "T/DS", "A/DS", "A/Sgt", "A/Insp", "Ch Insp", "Ch Supt", "Det Sgt", "Det Con", "Det Insp",
    "PCSO", "DCI", "DSI", "DSU", "DCS", "Supt", "Insp", "Sgt", "PC", "DC", "DS", "DI", "PS", "CI", "ACC", "DCC",
)
# Ranks, roles and titles as words; any capitalisation of the first letter ("officer Brown", "Officer Brown").
_ROLE_WORDS = (
    "chief superintendent", "superintendent", "chief inspector", "detective inspector", "detective sergeant",
    "detective constable", "police constable", "inspector", "sergeant", "constable", "detective", "officer",
    "social worker", "health visitor", "probation officer", "key worker", "support worker", "doctor", "nurse",
    "midwife", "paramedic", "call handler", "teacher",
)
_TITLES = ("Dr", "Mr", "Mrs", "Ms", "Miss", "Mx", "Prof")

# Capitalised words after a rank that are not names: sentence words, parts of job titles, acronyms.
_NOT_NAMES = frozenset("""
a an and as at but by for from had has he her his if in is it its of on or she that the their then there they
this to was were when where which who with said says did does told asked called attended
safety training in-charge charge duty team unit department service services manager managers lead
dr mr mrs ms miss mx prof pc dc ds di ps sgt insp supt chief police detective inspector sergeant constable
superintendent officer social health probation
dash marac mash mappa iom iopc sio cps mpa rui bail nfa ppn vpa idva isva asc cafcass gp ae nhs
""".split())

_collar = r"(?:\d{2,6}\s+)?"  # "PC 1234 Smith"
_name = r"(?:Mc|Mac|O['’])?[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?|[A-Z]{2,}(?![a-z])"


def _spaced(words: str) -> str:
    """A phrase as a pattern: any run of spaces between its words."""
    return r"\s+".join(re.escape(w) for w in words.split())


_abbr = "|".join(_spaced(a) for a in _RANK_ABBREVIATIONS)
_words = "|".join("[" + w[0].upper() + w[0] + "]" + _spaced(w)[1:] for w in _ROLE_WORDS)
_titles = "|".join(_TITLES)

_PATTERN = re.compile(
    rf"(?<![\w/])(?P<rank>(?:{_abbr})\.?|(?:{_words})|(?:{_titles})\.?)\s+{_collar}"
    rf"(?P<name>{_name})(?![\w])"
)


def named_staff(text: str | None) -> list[str]:
    """Each different phrase in `text` that looks like a rank or title and a name ("PC Smith", "Dr Khan"),
    in the order first written. An empty list when nothing looks like a name."""
    text = text or ""
    found: list[str] = []
    pos = 0
    while (m := _PATTERN.search(text, pos)) is not None:
        if m.group("name").lower() in _NOT_NAMES:
            pos = m.start("name")  # "social worker Mrs Ali": the word after may start a match of its own
            continue
        phrase = " ".join(m.group(0).split())
        if phrase not in found:
            found.append(phrase)
        pos = m.end()
    return found
