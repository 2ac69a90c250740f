"""Keeping real names away from everyone but the review team.

Reviewers are asked to write narrative with pseudonyms, but a name can slip into
free text. Before such text is shown or exported to anyone else, every known
name of the debrief's subjects (full name, and each part of three letters or
more) is replaced by that subject's pseudonym.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable


def masker(subjects: Iterable) -> Callable[[str | None], str]:
    replacements: dict[str, str] = {}
    for s in subjects:
        full = " ".join(s.real_name.split())
        if full:
            replacements.setdefault(full.casefold(), s.pseudonym)
        for part in re.split(r"[\s\-']+", full):
            if len(part) >= 3:
                replacements.setdefault(part.casefold(), s.pseudonym)
    if not replacements:
        return lambda text: text or ""
    names = sorted(replacements, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE)

    def mask(text: str | None) -> str:
        if not text:
            return ""
        return pattern.sub(lambda m: replacements[m.group(0).casefold()], text)

    return mask


def mask_for(debrief) -> Callable[[str | None], str]:
    """Identity for the review team; for everyone else, the debrief's known names become pseudonyms."""
    from app.permissions import sees_case_text

    if sees_case_text():
        return lambda text: text or ""
    return masker(debrief.subjects)
