"""gunicorn settings for every way the app is served (gunicorn reads ./gunicorn.conf.py by itself).

The app is built once in the master process and the workers are forked from it, so its modules, templates
and reference data sit in memory pages the workers share instead of one copy each. Before forking, the
garbage collector is told to leave those objects alone (`gc.freeze`): otherwise its first full collection
in each worker touches every one of them and copies the shared pages. Database connections are never
shared across a fork: each worker drops any the master opened and makes its own.
"""
import gc

preload_app = True


def when_ready(server):
    gc.collect()
    gc.freeze()


def post_fork(server, worker):
    from app.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)

