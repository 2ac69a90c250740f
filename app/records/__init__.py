"""Records management: retention review, legal holds, and disposal that keeps the learning."""
from flask import Blueprint

bp = Blueprint("records", __name__)

from app.records import routes  # noqa: E402,F401
