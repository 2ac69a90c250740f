"""Oversight for the working group and the board: the dashboard of headline measures and the board pack."""
from flask import Blueprint

bp = Blueprint("governance", __name__)

from app.governance import pack_routes, routes  # noqa: E402,F401
