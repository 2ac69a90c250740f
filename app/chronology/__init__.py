from flask import Blueprint

bp = Blueprint("chronology", __name__)

from app.chronology import routes, transfer  # noqa: E402,F401
