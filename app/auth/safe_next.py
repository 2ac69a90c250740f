"""Where a user may be sent after signing in: only paths on this site."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a same-site path, else None.

    Refuses absolute URLs, scheme-relative `//host`, the `/\\host` form that
    browsers read as `//host`, control characters, and their percent-encoded forms.
    """
    if not target or len(target) > 2000:
        return None
    for candidate in (target, unquote(target), unquote(unquote(target))):
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in candidate) or "\\" in candidate:
            return None
        if not candidate.startswith("/") or candidate.startswith("//"):
            return None
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return None
    return target
