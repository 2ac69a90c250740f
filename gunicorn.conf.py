"""gunicorn settings for every way the app is served (gunicorn reads ./gunicorn.conf.py by itself).

The app is built once in the master process and the workers are forked from it, so its modules, templates
and reference data sit in memory pages the workers share instead of one copy each. Before forking, the
garbage collector is told to leave those objects alone (`gc.freeze`): otherwise its first full collection
in each worker touches every one of them and copies the shared pages. Database connections are never
shared across a fork: each worker drops any the master opened and makes its own.

gunicorn has no setting to leave out its `Server: gunicorn` header, which tells a scanner what to attack;
the response's default headers are filtered here instead.
"""
import gc

from gunicorn.http import wsgi as _gunicorn_wsgi

preload_app = True

_default_headers = _gunicorn_wsgi.Response.default_headers


def _without_server_banner(self):
    return [h for h in _default_headers(self) if not h.startswith("Server:")]


_gunicorn_wsgi.Response.default_headers = _without_server_banner


def on_starting(server):
    """Under the production configuration, refuse to serve a database the code does not match or one that
    still has the demo accounts (`app.readiness`); the app itself is already loaded (preload_app)."""
    from app import readiness
    from wsgi import app

    refused = readiness.refusals(app)
    if refused:
        lines = "\n".join(f"  - {c.name}: {c.problem}" for c in refused)
        raise SystemExit(f"Refusing to start under the production configuration:\n{lines}\n"
                         "Run `flask --app wsgi check-config` for every setting.")


def when_ready(server):
    gc.collect()
    gc.freeze()


def post_fork(server, worker):
    from app.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)

