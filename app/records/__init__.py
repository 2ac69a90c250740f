"""Records management: retention review, legal holds, and disposal that keeps the learning."""
from flask import Blueprint

bp = Blueprint("records", __name__)

from app.records import access, freeze, routes  # noqa: E402,F401

bp.before_app_request(access.check)
bp.record_once(lambda state: freeze.install(state.app))
