"""How responses travel: compressed when the browser accepts it, and static files cached for a year under
addresses that change whenever their content does.

Compression is Flask-Compress (brotli or gzip, negotiated from Accept-Encoding, with Vary set). It is
registered before the disclosure gate, and Flask runs after-request functions in reverse order, so a body
is masked first and compressed last. COMPRESS_RESPONSES=false leaves compression to a proxy.

Every link to a static file carries `?v=` and the first 12 hex digits of the file's SHA-256; a request with
the current hash is answered `Cache-Control: public, max-age=31536000, immutable`, so a browser never
revalidates it, and a changed file gets a new address the moment it is deployed.
"""
from __future__ import annotations

import hashlib
import os

from flask import Flask, request
from flask_compress import Compress

COMPRESSED_TYPES = ["text/html", "text/css", "text/plain", "text/csv", "text/calendar", "text/javascript",
                    "application/javascript", "application/json", "image/svg+xml"]
YEAR = 365 * 24 * 3600

compress = Compress()


def init_delivery(app: Flask) -> None:
    app.config.update(COMPRESS_MIMETYPES=COMPRESSED_TYPES, COMPRESS_ALGORITHM=["br", "gzip"],
                      COMPRESS_ALGORITHM_STREAMING=["br", "gzip"],
                      COMPRESS_BR_LEVEL=4, COMPRESS_LEVEL=6, COMPRESS_MIN_SIZE=500,
                      COMPRESS_REGISTER=app.config["COMPRESS_RESPONSES"])
    compress.init_app(app)
    hashes: dict[str, str] = {}

    def version(filename: str) -> str | None:
        path = os.path.join(app.static_folder, filename)
        try:
            stamp = os.stat(path).st_mtime_ns
        except OSError:
            return None
        key = f"{filename}:{stamp}"
        if key not in hashes:
            with open(path, "rb") as f:
                hashes[key] = hashlib.sha256(f.read()).hexdigest()[:12]
        return hashes[key]

    @app.url_defaults
    def _versioned_static(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            stamp = version(values["filename"])
            if stamp:
                values["v"] = stamp

    @app.after_request
    def _cache_static(response):
        if request.endpoint == "static" and response.status_code == 200:
            current = version(request.view_args.get("filename", "")) if request.view_args else None
            if current and request.args.get("v") == current:
                response.cache_control.public = True
                response.cache_control.max_age = YEAR
                response.cache_control.immutable = True
                response.cache_control.no_cache = None
        return response
