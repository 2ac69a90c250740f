"""Finding the real names and identifiers of case subjects in text, and replacing them.

This module only knows text: what a subject is called, and what to put instead. Who
sees what, and where the replacement happens, is `app.disclosure`.

Matching works on words, compared after Unicode case folding and normalisation, so
"Weiß" is "WEISS", "İlker" is "ilker" and "Zoë" is "Zoe". A name is caught whole, by
its parts, by initials ("L.B.", "LB", "L. Barrett"), with a possessive, in any letter
case and when broken across a line. A word that two subjects share (a family surname)
is never given to one of them by guesswork: it becomes a neutral token. The masker
never raises: a property test feeds it arbitrary Unicode.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from markupsafe import escape

from app.names.folding import GAP, WORD, is_word_char, norm_token, surface_pattern, tokens, words_of
from app.names.markup import protected

FAMILY_TOKEN = "[family name]"
NAME_TOKEN = "[name]"
NEUTRAL = {"dob": "[date of birth]", "reference": "[reference]", "address": "[address]", "phone": "[phone number]"}

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")

# Names that are also everyday words: a lower-case "will" or "rose" in a sentence is the word, not the
# person. The capitalised form is still replaced (at worst a sentence's first word is over-masked).
ORDINARY_WORDS = frozenset("""
able ace amber april art august autumn baker bell berry bill bishop black bond brand brook brown burns bush
butler carter chase cherry clay cook crane crystal dale dawn day dean dew ed faith fisher fleming ford fox
frank free gay gem gold golden grace grant gray green grey guy hall hart hazel heath heather hill holly
honey hope hunter ivy jack jade jay jewel joy june king lake lane lark lee little long love lucky mark marsh
mason may mercy miles mill miller moon moss nash newman north oak page park parks patience pat penny
pearl pierce poole pope rich ripley robin rock rose ross ruby rush sage savage scott sharp shepherd short
silver sky small smart snow sonny spring star stone storm summer sunny swift taylor terry tucker violet
wade walker ward waters west white will wood woods young
""".split())


@dataclass(frozen=True)
class Person:
    """What the masker knows about one case subject."""

    key: int
    debrief_id: int
    pseudonym: str
    real_name: str
    aliases: tuple[str, ...] = ()
    date_of_birth: date | None = None
    address: str | None = None
    phone: str | None = None


@dataclass
class _Entry:
    words: tuple[str, ...]
    kind: str  # name, family, initials, or one of NEUTRAL's keys
    people: set = field(default_factory=set)  # Person.key, or ("debrief", id) for a reference
    upper: bool = False  # initials: one-letter words (and a run like "LB") must be capitals in the text
    ordinary: bool = False  # an everyday word: a lower-case occurrence is left alone


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    found: str
    replacement: str


class Masker:
    """Replaces every known name and identifier of the given subjects.

    `context` (a debrief id) says which case the text belongs to: a name shared with a
    subject of another case then resolves to this case's person.
    """

    def __init__(self, people: Iterable[Person] = (), references: Iterable[tuple[int, str]] = ()):
        self.people = {p.key: p for p in people}
        self._entries: dict[tuple[str, ...], _Entry] = {}
        for person in self.people.values():
            self._add_person(person)
        for debrief_id, ref in references:
            self._add_identifier(tokens(ref), "reference", ("debrief", debrief_id))
        self._by_first: dict[str, list[_Entry]] = defaultdict(list)
        self._by_anchor: dict[str, list[_Entry]] = defaultdict(list)
        for entry in self._entries.values():
            self._by_first[entry.words[0]].append(entry)
            for anchor in _anchors(entry):
                self._by_anchor[anchor.encode("utf-8", "surrogatepass")].append(entry)
        for entries in self._by_first.values():
            entries.sort(key=lambda e: len(e.words), reverse=True)
        self._anchors = frozenset(self._by_anchor)

    # ---- building -----------------------------------------------------------------

    def _add(self, words: tuple[str, ...], kind: str, who, *, upper=False) -> None:
        if not words or not all(words):
            return
        entry = self._entries.get(words)
        if entry is None:
            ordinary = len(words) == 1 and kind in ("name", "family") and words[0] in ORDINARY_WORDS
            entry = self._entries[words] = _Entry(words, kind, upper=upper, ordinary=ordinary)
        elif entry.kind != kind and entry.kind not in NEUTRAL:
            # An identifier wins over a name; a word that is a surname for one and a forename for another
            # is just a name.
            entry.kind = kind if kind in NEUTRAL else "name"
            entry.upper = entry.upper and upper
        entry.people.add(who)

    def _add_identifier(self, words: tuple[str, ...], kind: str, who) -> None:
        if not words:
            return
        self._add(words, kind, who)
        if len(words) > 1:
            self._add(("".join(words),), kind, who)

    def _add_person(self, p: Person) -> None:
        self._add_name(p.real_name, p.key, main=True)
        for alias in p.aliases:
            self._add_name(alias, p.key, main=False)
        if p.date_of_birth:
            for variant in _date_variants(p.date_of_birth):
                self._add(variant, "dob", p.key)
        if p.address:
            self._add_identifier(tokens(p.address), "address", p.key)
            for line in re.split(r"[,\n]+", p.address):
                words = tokens(line)
                if len(words) >= 2 and any(len(w) >= 3 and not w.isdigit() and w not in ORDINARY_WORDS
                                           for w in words):
                    self._add(words, "address", p.key)
            for postcode in _POSTCODE.findall(p.address.upper()):
                self._add_identifier(tokens(postcode), "address", p.key)
        if p.phone:
            digits = re.sub(r"\D", "", p.phone)
            self._add_identifier(tokens(p.phone), "phone", p.key)
            if digits:
                self._add((str(int(digits)),), "phone", p.key)
                if digits.startswith("44"):
                    self._add((str(int(digits[2:] or "0")),), "phone", p.key)
                elif digits.startswith("0"):
                    self._add(("44" + digits.lstrip("0"),), "phone", p.key)

    def _add_name(self, name: str, who: int, *, main: bool) -> None:
        parts = [tokens(w) for w in (name or "").split()]
        parts = [w for w in parts if w and not all(t.isdigit() for t in w)]  # "Person 2": a number is no name
        if not parts:
            return
        full = tuple(t for w in parts for t in w)
        self._add(full, "family" if main and len(parts) == 1 else "name", who)
        if len(parts) == 1:
            if len(full) > 1:
                self._add(("".join(full),), "name", who)
            return
        first, last = parts[0], parts[-1]
        kind_last = "family" if main else "name"
        self._add(last, kind_last, who)
        if len(last) > 1:
            self._add(("".join(last),), kind_last, who)
        self._add(first + last, "name", who)
        self._add(last + first, "name", who)  # "Barrett, Liam"
        if main:
            for word in parts[:-1]:
                for t in word:
                    if len(t) >= 2:
                        self._add((t,), "name", who)
        for t in last:
            if len(t) >= 2 and len(last) > 1:
                self._add((t,), kind_last, who)
        initials = tuple(w[0][0] for w in parts if w[0][0].isalpha())
        if len(initials) >= 2:
            for letters in {initials, (initials[0], initials[-1])}:
                self._add(letters, "initials", who, upper=True)
                self._add(("".join(letters),), "initials", who, upper=True)
            self._add((initials[0], *last), "name", who, upper=True)  # "L. Barrett"
            self._add((*last, initials[0]), "name", who, upper=True)  # "Barrett, L."

    # ---- matching -----------------------------------------------------------------

    def mask(self, text: str | None, context: int | None = None, *, html: bool = False) -> str:
        """The text with every known name replaced; `html` leaves tags and structural attributes intact."""
        if not text:
            return text or ""
        text = unicodedata.normalize("NFC", text)
        out, pos = [], 0
        for hit in self._scan(text, context, html):
            out.append(text[pos:hit.start])
            out.append(str(escape(hit.replacement)) if html else hit.replacement)
            pos = hit.end
        if not out:
            return text
        out.append(text[pos:])
        return "".join(out)

    def find(self, text: str | None, context: int | None = None) -> list[Hit]:
        """Each name found in the text, with what replaces it."""
        if not text:
            return []
        return list(self._scan(unicodedata.normalize("NFC", text), context, False))

    def _scan(self, text: str, context, html: bool) -> Iterator[Hit]:
        if not self._anchors:
            return
        words, unusual = words_of(text)
        present = self._anchors.intersection(words)
        if not present:
            return
        relevant = {id(e): e for a in present for e in self._by_anchor[a]}
        by_first: dict[str, list[_Entry]] = defaultdict(list)
        for entry in sorted(relevant.values(), key=lambda e: len(e.words), reverse=True):
            by_first[entry.words[0]].append(entry)
        pos = 0
        for start, end in _candidates(text, by_first, unusual):
            if start < pos or (html and protected(text, start)):
                continue
            best = self._longest(text, start, end, by_first.get(norm_token(text[start:end]), ()))
            if best is None:
                continue
            stop, entry = best
            pos = stop
            yield Hit(start, stop, text[start:stop], self._replacement(entry, context))

    def _longest(self, text: str, start: int, end: int, candidates):
        first = text[start:end]
        for entry in candidates:
            if entry.ordinary and first.islower():
                continue
            if entry.upper and not _upper_ok(first, entry.words[0]):
                continue
            stop = end
            for word in entry.words[1:]:
                gap = GAP.match(text, stop)
                nxt = gap and WORD.match(text, gap.end())
                if not nxt or norm_token(nxt.group()) != word or (entry.upper and not _upper_ok(nxt.group(), word)):
                    break
                stop = nxt.end()
            else:
                return stop, entry
        return None

    def _replacement(self, entry: _Entry, context) -> str:
        if entry.kind in NEUTRAL:
            return NEUTRAL[entry.kind]
        people = [self.people[k] for k in entry.people]
        if context is not None:
            here = [p for p in people if p.debrief_id == context]
            people = here or people
        if len(people) == 1:
            return people[0].pseudonym
        return FAMILY_TOKEN if entry.kind == "family" else NAME_TOKEN


def _candidates(text: str, by_first: dict[str, list[_Entry]], unusual: set[bytes]) -> list[tuple[int, int]]:
    """Where a relevant first word is written, in order. Plain ASCII words are found with str.find (fast, in C);
    words that may be written with other characters (ß, accents, dotless i) or as numbers with a regex."""
    lowered = text.lower()
    literal = len(lowered) == len(text)
    spans, by_pattern = [], set()
    for word, entries in by_first.items():
        if not literal or not word.isascii() or word.isdigit() or word.encode() in unusual:
            by_pattern.add(word)
            continue
        upper = all(e.upper for e in entries)  # initials: only capitals count
        hay, needle = (text, word.upper()) if upper else (lowered, word)
        i = hay.find(needle)
        while i >= 0:
            j = i + len(needle)
            if (i == 0 or not is_word_char(text[i - 1])) and (j == len(text) or not is_word_char(text[j])):
                if not (upper and len(word) == 1 and not _initial_follows(text, j)):
                    spans.append((i, j))
            i = hay.find(needle, j)
    if by_pattern:
        spans.extend(m.span() for m in surface_pattern(frozenset(by_pattern)).finditer(text))
        spans.sort()
    else:
        spans.sort()
    return spans


def _initial_follows(text: str, j: int) -> bool:
    """After a single capital: a separator and another word ("L.B.", "L B", "L. Barrett")."""
    gap = GAP.match(text, j)
    return bool(gap and WORD.match(text, gap.end()))


def _upper_ok(surface: str, word: str) -> bool:
    """Initials count only in capitals: "L B" or "LB" is a person, "lb" is a weight."""
    if len(word) == 1 or len(surface) <= 3:
        return surface.isupper()
    return True


def _anchors(entry: _Entry) -> set[str]:
    """Words whose presence makes the entry worth looking for: for identifiers the longest (a date's year),
    else the first; a number also as it is written with leading zeros."""
    word = max(entry.words, key=len) if entry.kind in NEUTRAL and len(entry.words) > 1 else entry.words[0]
    if word.isascii() and word.isdigit():
        return {word, "0" + word, "00" + word}
    return {word}


_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")


def _date_variants(d: date) -> set[tuple[str, ...]]:
    day, month, year = str(d.day), str(d.month), str(d.year)
    names = {MONTHS[d.month - 1], MONTHS[d.month - 1][:3]}
    if d.month == 9:
        names.add("sept")
    out = {(day, month, year), (year, month, day)}
    for name in names:
        out |= {(day, name, year), (name, day, year)}
    return out

