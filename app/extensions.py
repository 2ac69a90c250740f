"""Flask extensions, created unbound and initialised by create_app()."""
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm.exc import StaleDataError

# Constraint names are stable from the first migration, so SQLite batch
# migrations and PostgreSQL can both alter them later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Session(FlaskSession):
    """Two saves of the same row at the same moment: the loser's UPDATE finds the version moved and matches no
    row. That is the stale edit the version check exists for, so it is raised as one (a 409, never a 500)."""

    def flush(self, objects=None):
        try:
            super().flush(objects)
        except StaleDataError as exc:  # the caller rolls back, as after any StaleEdit
            from app.versioning import StaleEdit

            raise StaleEdit(None) from exc


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
