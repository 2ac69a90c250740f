"""Error pages that work for full pages and for htmx fragments alike."""
from __future__ import annotations

import json

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app import audit
from app.extensions import db
from app.htmx import is_htmx
from app.security import request_id
from app.versioning import StaleEdit

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    401: ("Sign in needed", "Sign in to continue."),
    403: ("Not allowed", "Your role does not give you access to this page. "
                         "Ask the review team if you think you need it."),
    404: ("Not found", "There is nothing here, or you do not have access to it."),
    405: ("Not allowed", "That kind of request is not accepted here."),
    409: ("Changed by someone else", "Someone else changed this while you were editing."),
    413: ("Too large", "What you sent is larger than this system accepts."),
    422: ("Check your entry", "Some of what you entered needs correcting."),
    429: ("Too many requests", "Too many requests. Wait a minute and try again."),
    500: ("Something went wrong", "The system could not finish your request. Nothing was saved. "
                                  "If this keeps happening, give the reference below to force IT."),
}


def render_error(code: int, message: str | None = None):
    title, text = MESSAGES.get(code, ("Error", "The request could not be completed."))
    text = message or text
    if is_htmx():
        body = render_template("errors/_message.html", code=code, title=title, text=text,
                               request_id=request_id())
        headers = {"HX-Trigger": json.dumps({"showMessage": {"level": "error", "message": text}})}
        return body, code, headers
    return render_template("errors/error.html", code=code, title=title, text=text,
                           request_id=request_id()), code


def init_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        audit.log_security("csrf.failure", object_type="route", object_id=request.endpoint,
                           reason=str(exc.description)[:200])
        return render_error(400, "This form has expired or did not come from this system. "
                                 "Reload the page and try again.")

    @app.errorhandler(StaleEdit)
    def stale_edit(exc: StaleEdit):
        db.session.rollback()
        return render_error(409, "Someone else saved this at the same moment, so your change was not saved. "
                                 "Reload to see their version, then make your change again.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        return render_error(exc.code)

    @app.errorhandler(Exception)
    def unhandled(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        db.session.rollback()
        app.logger.exception("unhandled error, request %s", request_id())
        return render_error(InternalServerError.code)
