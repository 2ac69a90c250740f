from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import proxy_sso, routes, two_factor_routes  # noqa: E402,F401

bp.before_app_request(proxy_sso.check)
