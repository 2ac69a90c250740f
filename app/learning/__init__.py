from flask import Blueprint

bp = Blueprint("learning", __name__)

from app.learning import documents, repeat_routes, routes  # noqa: E402,F401
