"""The anonymised learning exchange between forces: export our issued learning, import other forces' files."""
from flask import Blueprint

bp = Blueprint("exchange", __name__)

from app.exchange import routes  # noqa: E402,F401
