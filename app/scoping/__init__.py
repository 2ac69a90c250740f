from flask import Blueprint

bp = Blueprint("scoping", __name__)

from app.scoping import routes  # noqa: E402,F401
