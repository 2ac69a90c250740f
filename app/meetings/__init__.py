from flask import Blueprint

bp = Blueprint("meetings", __name__)

from app.meetings import agenda, confidentiality, contributions, routes  # noqa: E402,F401

bp.before_app_request(confidentiality.check)
