"""How names are compared and found: Unicode folding, words, and the regular expressions for the
ways a folded word can be written."""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import lru_cache

_MARK_RANGES = ((0x300, 0x370), (0x483, 0x48A), (0x591, 0x5C8), (0x1AB0, 0x1B00), (0x1DC0, 0x1E00),
                (0x20D0, 0x2100), (0xFE20, 0xFE30))
_MARKS = dict.fromkeys(c for lo, hi in _MARK_RANGES for c in range(lo, hi))
# Letters with no decomposition that people type without their mark: "Yılmaz" is written "YILMAZ".
_MARKS.update({ord(k): v for k, v in {"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ŧ": "t",
                                      "þ": "th", "æ": "ae", "œ": "oe"}.items()})
_MARK_CLASS = "[\u0300-\u036f]*"

WORD = re.compile(r"\w+")
# What may stand between the words of one name: spaces and line breaks, full stops, commas,
# hyphens, apostrophes (also as the entities HTML and XML escape them to).
GAP = re.compile(r"(?:\s+|[.,/\-'\u2018\u2019\u00b7]|&#0*39;|&#x0*27;|&apos;|&nbsp;){1,6}", re.IGNORECASE)
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")


def fold(text: str) -> str:
    """Case-fold, decompose compatibility forms and drop accents: the form names are compared in."""
    if text.isascii():
        return text.lower()
    once = unicodedata.normalize("NFKD", text).translate(_MARKS).casefold()
    return unicodedata.normalize("NFKD", once).translate(_MARKS)


def norm_token(word: str) -> str:
    token = fold(word)
    ordinal = _ORDINAL.match(token)
    if ordinal:
        token = ordinal.group(1)
    if token.isascii() and token.isdigit():
        return str(int(token))
    return token


def tokens(text: str | None) -> tuple[str, ...]:
    return tuple(norm_token(w) for w in WORD.findall(unicodedata.normalize("NFC", text or "")))



_ASCII_BREAKS = bytes(c if (chr(c).isascii() and (chr(c).isalnum() or c == 0x5F)) or c >= 0x80 else 0x20
                      for c in range(256))


def words_of(text: str) -> tuple[set[bytes], set[bytes]]:
    """The folded words of a text as UTF-8, quickly: ASCII split in C, only words with other characters
    folded one by one. Also returns the words found that way, whose written form may differ from the folded."""
    words = set(text.lower().encode("utf-8", "surrogatepass").translate(_ASCII_BREAKS).split())
    unusual = set()
    for raw in [w for w in words if not w.isascii()]:
        unusual.update(w.encode("utf-8", "surrogatepass")
                       for w in WORD.findall(fold(raw.decode("utf-8", "surrogatepass"))))
    return words | unusual, unusual


def is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"



# ---- the surface forms of a folded word -------------------------------------------

@lru_cache(maxsize=1)
def _reverse_fold() -> tuple[dict[str, str], dict[str, str]]:
    """For each folded character, every character that folds to it (and two-letter folds like ß -> ss)."""
    single: dict[str, set[str]] = defaultdict(set)
    double: dict[str, set[str]] = defaultdict(set)
    for cp in list(range(0x30, 0x2000)) + list(range(0x1E00, 0x2000)) + list(range(0xFB00, 0xFB07)):
        ch = chr(cp)
        if not ch.isalnum():
            continue
        folded = fold(ch)
        if len(folded) == 1:
            single[folded].add(ch)
        elif len(folded) == 2:
            double[folded].add(ch)
    return ({k: "".join(sorted(v)) for k, v in single.items()}, {k: "".join(sorted(v)) for k, v in double.items()})


def _char_class(ch: str) -> str:
    single, _ = _reverse_fold()
    chars = set(single.get(ch, "")) | {ch}
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]" + _MARK_CLASS


def _word_pattern(word: str) -> str:
    if word.isascii() and word.isdigit():
        return "0*" + re.escape(word) + "(?:st|nd|rd|th)?"
    _, double = _reverse_fold()
    out, i = [], 0
    while i < len(word):
        pair = word[i:i + 2]
        if len(pair) == 2 and pair in double:
            alts = "|".join(re.escape(c) for c in double[pair])
            out.append(f"(?:{_char_class(pair[0])}{_char_class(pair[1])}|{alts})")
            i += 2
        else:
            out.append(_char_class(word[i]))
            i += 1
    return "".join(out)


@lru_cache(maxsize=512)
def surface_pattern(words: frozenset[str]) -> re.Pattern:
    alternatives = sorted(words, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(_word_pattern(w) for w in alternatives) + r")(?!\w)")


# ---- HTML and XML: only text and the attributes people read -------------------------
