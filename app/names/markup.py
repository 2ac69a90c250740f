"""Masking inside HTML and XML: text and the attributes people read, never structure."""
from __future__ import annotations

import re

_STRUCTURAL_ATTRIBUTES = frozenset("""
class id name for type role method action href src rel lang dir tabindex form enctype autocomplete inputmode
integrity nonce accept accept-charset headers list xmlns xml:space w:rsidr w:rsidrdefault w:rsidp w:rsidrpr
aria-controls aria-describedby aria-labelledby aria-owns aria-activedescendant aria-live aria-current
hx-get hx-post hx-put hx-patch hx-delete hx-target hx-swap hx-swap-oob hx-trigger hx-headers hx-include
hx-select hx-select-oob hx-push-url hx-replace-url hx-ext hx-vals hx-indicator hx-sync hx-params
hx-encoding hx-disinherit hx-on hx-boost hx-disabled-elt
""".split())
_ADDRESS_ATTRIBUTES = frozenset({"href", "src", "action", "hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete"})
_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")


def protected(text: str, i: int) -> bool:
    """Inside a tag, outside any attribute people read (or in the CSRF token's field)."""
    lt = text.rfind("<", 0, i)
    if lt < 0 or text.rfind(">", 0, i) > lt:
        return False
    gt = text.find(">", i)
    tag = text[lt:gt if gt >= 0 else len(text)]
    if "csrf" in tag:
        return True
    offset = i - lt
    for attr in _ATTRIBUTE.finditer(tag):
        if attr.start(2) <= offset < attr.end(2):
            name = attr.group(1).lower()
            if name in _ADDRESS_ATTRIBUTES:  # the app's own links are structure; a typed web address is text
                return attr.group(2).strip("\"'").startswith(("/", "#", "?"))
            return name in _STRUCTURAL_ATTRIBUTES
    return True
