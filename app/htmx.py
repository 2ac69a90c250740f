"""Small helpers for answering htmx requests."""
from __future__ import annotations

import json

from flask import Response, make_response, render_template, request


def is_htmx() -> bool:
    """True for an htmx request that wants a fragment (not a history restore)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(page: str, fragment: str | None = None, status: int = 200, **context) -> Response:
    """One URL, two answers: the fragment for htmx, the full page otherwise."""
    template = fragment if (fragment and is_htmx()) else page
    return make_response(render_template(template, **context), status)


def redirect_client(url: str, status: int = 200) -> Response:
    """Tell htmx to load a whole new page (htmx ignores headers on 3xx)."""
    response = make_response("", status)
    response.headers["HX-Redirect"] = url
    return response


def trigger(response: Response, event: str, detail: dict | None = None) -> Response:
    """Add an event to HX-Trigger, merging with any already there."""
    existing = response.headers.get("HX-Trigger")
    events = json.loads(existing) if existing else {}
    events[event] = detail or {}
    response.headers["HX-Trigger"] = json.dumps(events)
    return response
