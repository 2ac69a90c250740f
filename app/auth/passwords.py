"""Password hashing (argon2id) and the password policy."""
from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

MIN_LENGTH = 12
MAX_LENGTH = 128
# Words that anyone guessing a password for this system would try first.
CONTEXT_WORDS = {
    "homicide", "debrief", "debriefs", "police", "prevention", "official", "sensitive",
    "officialsensitive", "password", "welcome", "letmein", "changeme", "review",
}
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt.gz")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The bundled list of 19,640 common passwords (one per line, gzip)."""
    with gzip.open(_COMMON_FILE, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip().casefold() for line in fh if line.strip())


def hasher() -> PasswordHasher:
    cfg = current_app.config
    key = (cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_KIB"], cfg["ARGON2_PARALLELISM"])
    return _hasher(*key)


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID)


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_kib, parallelism).hash("not a real password, only for timing")


def burn_verification(password: str) -> None:
    """Spend the time a real check takes, so unknown accounts answer no faster."""
    cfg = current_app.config
    verify_password(
        _dummy_hash(cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_KIB"], cfg["ARGON2_PARALLELISM"]), password
    )


_EDGE_JUNK = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def policy_problems(password: str, username: str | None = None, full_name: str | None = None) -> list[str]:
    """What is wrong with a new password, in words a user can act on (empty: fine).

    Passphrases are encouraged: no composition rules, any characters, up to 128.
    """
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters; a few unrelated words make a good passphrase.")
        return problems
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
        return problems
    folded = password.casefold()
    core = _EDGE_JUNK.sub("", folded)
    common = common_passwords()
    if folded in common or core in common or _made_of(re.sub(r"[\W\d_]+", "", folded), _context_words()):
        problems.append("This password is too common; choose one that others would not guess.")
    elif len(set(folded)) < 5:
        problems.append("This password repeats too few characters; choose something less predictable.")
    elif _is_sequence(folded):
        problems.append("This password is a simple sequence or keyboard pattern; choose something less predictable.")
    for part, what in ((username, "your username"), (full_name, "your name")):
        if not part:
            continue
        for token in re.split(r"[\s._-]+", part.casefold()):
            if len(token) >= 4 and token in folded:
                problems.append(f"Do not include {what} in your password.")
                break
    if not problems:
        problems.extend(_guessable(password, [username, full_name]))
    return problems


# zxcvbn's score 3 means more than 10^8 guesses: with argon2id and the sign-in throttle, out of reach of an
# online attack and slow offline. The estimate counts dictionary words, names, keyboard walks, repeats,
# sequences, dates and the user's and the force's own words against the password.
MIN_STRENGTH = 3
_ESTIMATE_LENGTH = 72  # zxcvbn's own limit; a longer passphrase is judged by its first 72 characters


def _context_words(*personal: str | None) -> set[str]:
    """What anyone guessing a password here tries first: this system's words, the force's name (from
    ORGANISATION_NAME) and the person's own names."""
    from flask import has_app_context

    words = set(CONTEXT_WORDS)
    organisation = current_app.config.get("ORGANISATION_NAME", "") if has_app_context() else ""
    for text in [*personal, organisation]:
        if text:
            words.update(t for t in re.split(r"[\W_]+", text.casefold()) if len(t) >= 3)
    return words


def _made_of(letters: str, words: set[str]) -> bool:
    """True when `letters` is nothing but context words run together ("exampleshirepolice")."""
    if not letters:
        return False
    ends = [True] + [False] * len(letters)
    for i in range(1, len(letters) + 1):
        ends[i] = any(ends[j] and letters[j:i] in words for j in range(max(0, i - 40), i))
    return ends[-1]


def _guessable(password: str, personal: list[str | None]) -> list[str]:
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:_ESTIMATE_LENGTH], user_inputs=sorted(_context_words(*personal)))
    if result["score"] >= MIN_STRENGTH:
        return []
    feedback = result["feedback"]
    hint = " ".join(x for x in [feedback.get("warning") or "", *feedback.get("suggestions", [])] if x)
    hint = hint.replace("Capitalization", "Capital letters").replace("capitalization", "capital letters")
    return [f"This password would be too easy to guess. {hint}".strip()
            + ("" if hint.endswith(".") or not hint else ".")
            + " Three or four unrelated words make a strong passphrase that is easy to remember."]


_KEYBOARD_RUNS = ("qwertyuiopasdfghjklzxcvbnm", "1234567890qwertyuiop", "1qaz2wsx3edc4rfv5tgb6yhn7ujm",
                  "qwertzuiopasdfghjklyxcvbnm", "azertyuiopqsdfghjklmwxcvbn")


def _is_sequence(text: str) -> bool:
    if len(text) < 2:
        return False
    if any(text in run or text in run[::-1] for run in _KEYBOARD_RUNS):
        return True
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return len(steps) == 1 and steps.pop() in (-1, 0, 1)
