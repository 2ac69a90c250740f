"""Per-request security plumbing: request ids, proxy headers and response headers."""
from __future__ import annotations

import secrets

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def request_id() -> str:
    """A short random id for this request, made on first use (CSRF checks run before any hook of ours)."""
    if "request_id" not in g:
        g.request_id = secrets.token_hex(8)
    return g.request_id


def init_security(app: Flask) -> None:
    proxies = app.config["PROXY_COUNT"]
    if proxies:
        # Behind nginx/IIS: trust exactly that many hops for the client address and scheme.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.after_request
    def _headers(response):
        h = response.headers
        h["Content-Security-Policy"] = CSP
        h["X-Content-Type-Options"] = "nosniff"
        h["Referrer-Policy"] = "same-origin"
        h["X-Frame-Options"] = "DENY"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        if request.is_secure:
            h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        response.vary.add("HX-Request")
        if request.endpoint != "static":
            # Pages may hold personal data: never keep them in a browser or proxy cache.
            h["Cache-Control"] = "no-store"
            h["Pragma"] = "no-cache"
        h["X-Request-Id"] = request_id()
        return response
