from flask import Blueprint

bp = Blueprint("debriefs", __name__)

from app.debriefs import routes  # noqa: E402,F401
