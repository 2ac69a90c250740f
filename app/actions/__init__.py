from flask import Blueprint

bp = Blueprint("actions", __name__)

from app.actions import pack, routes, routes_item  # noqa: E402,F401
