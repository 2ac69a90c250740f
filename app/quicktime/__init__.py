"""Quick-time learning: urgent learning recorded as soon as it is seen, at any stage, and shared by a deadline
before the document of learning and actions is issued."""
from flask import Blueprint

bp = Blueprint("quicktime", __name__)

from app.quicktime import routes  # noqa: E402,F401
