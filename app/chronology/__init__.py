from flask import Blueprint

bp = Blueprint("chronology", __name__)

from app.chronology import routes  # noqa: E402,F401
