"""Backups: the whole database in one file, consistent at one instant, and restoring one into an empty database.

A backup is one uncompressed tar file, `hpd-backup-YYYYMMDDTHHMMSSZ.tar`, mode 0600, holding:

- `manifest.json`: the format and its version, when the backup was taken (UTC), the kind of database, the
  PostgreSQL schema, the schema revision (`alembic_version`), the audit chain's anchor (`position:hash` of
  its head), the number of rows in every table, and the size and SHA-256 of the database copy;
- the database copy: `database.sqlite3` (a complete SQLite file) or `database.pgdump` (`pg_dump -Fc` of the
  app's schema).

The anchor and the counts describe exactly the copy, even while the app keeps writing:

- SQLite: the online backup API copies the database in one step, inside one read transaction (under WAL a
  reader never stops the writers, and they never change what it reads); the anchor and the counts are then
  read from the copy itself.
- PostgreSQL: one REPEATABLE READ transaction exports its snapshot, reads the anchor and the counts, and
  stays open while `pg_dump --snapshot` dumps that same snapshot.

Restoring checks the copy against the manifest's checksum before anything else, refuses a database that
already has tables, loads the copy, then checks the audit chain against the backup's anchor and the row
counts against the manifest.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import URL, make_url

FORMAT = "hpd-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_FILE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """Something an operator must be told in plain words; nothing was written or loaded."""


@dataclass
class Snapshot:
    """What the copy holds: its tables' row counts, schema revision and audit anchor."""

    counts: dict[str, int]
    revision: str | None
    anchor: str | None


@dataclass
class Backup:
    path: Path
    manifest: dict


@dataclass
class Checked:
    """An archive whose database copy matched its manifest, staged for loading."""

    archive: Path
    manifest: dict
    staged: Path


# ---- the database the app uses -----------------------------------------------------------------------

def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _kind(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in DATABASE_FILE:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {backend}.")
    return backend


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("The database is not a SQLite file on disk.")
    return Path(url.database)


def libpq(url: URL | str) -> tuple[str, dict[str, str]]:
    """The SQLAlchemy URL as a libpq connection string for pg_dump and pg_restore, and their environment.

    The password goes in PGPASSWORD, never on the command line (where `ps` shows it to every local user).
    """
    url = make_url(url) if isinstance(url, str) else url
    parts: dict[str, str] = {}
    if url.host:
        parts["host"] = url.host
    if url.port:
        parts["port"] = str(url.port)
    if url.database:
        parts["dbname"] = url.database
    if url.username:
        parts["user"] = url.username
    for key, value in url.query.items():  # options (search_path), sslmode, ... as psycopg passes them on
        parts[key] = value[-1] if isinstance(value, tuple) else value
    parts.pop("password", None)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return " ".join(f"{key}={_conninfo_value(value)}" for key, value in parts.items()), env


def _conninfo_value(value: str) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found on PATH: install the PostgreSQL client tools "
                          "(e.g. postgresql-client-15), at least the server's version.")
    return found


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()
        raise BackupError(f"{what} failed (exit status {done.returncode}):\n{detail}")


def _describe(fetch, tables: list[str], qualify) -> Snapshot:
    """Row counts, schema revision and audit anchor, read through `fetch(sql) -> rows` in one snapshot."""
    from app.audit_chain import GENESIS

    counts = {table: int(fetch(f"SELECT count(*) FROM {qualify(table)}")[0][0]) for table in sorted(tables)}
    revision = None
    if "alembic_version" in tables:
        revision = ",".join(sorted(row[0] for row in fetch(
            f"SELECT version_num FROM {qualify('alembic_version')}"))) or None
    anchor = None
    if "audit_chain" in tables:
        head = fetch(f"SELECT seq, head_hash FROM {qualify('audit_chain')} WHERE id = 1")
        anchor = f"{head[0][0]}:{head[0][1]}" if head else f"0:{GENESIS}"
    return Snapshot(counts=counts, revision=revision, anchor=anchor)


_SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
_PG_TABLES = "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"


def _sqlalchemy_fetch(connection):
    return lambda sql: connection.exec_driver_sql(sql).fetchall()


def describe_current() -> Snapshot:
    """The same description of the database the app is connected to (after a restore)."""
    from app.extensions import db

    connection = db.session.connection()
    fetch = _sqlalchemy_fetch(connection)
    tables = [row[0] for row in fetch(_SQLITE_TABLES if connection.dialect.name == "sqlite" else _PG_TABLES)]
    return _describe(fetch, tables, _quote)


# ---- taking a backup ---------------------------------------------------------------------------------

def default_directory() -> Path:
    return Path(current_app.instance_path) / "backups"


def create(directory: str | os.PathLike | None = None) -> Backup:
    """Back the database up into `directory` (created 0700 if missing); returns the file and its manifest.

    Writes one audit row (`backup.create`, with the file's name and the anchor) and logs the anchor.
    """
    from app import audit, audit_chain
    from app.extensions import db

    url = _url()
    kind = _kind(url)
    directory = Path(directory) if directory else default_directory()
    _private_directory(directory)
    taken = datetime.now(timezone.utc).replace(microsecond=0)
    staging = Path(tempfile.mkdtemp(prefix=".hpd-backup-", dir=directory))  # 0700, same disk as the result
    try:
        copy = staging / DATABASE_FILE[kind]
        schema = None
        if kind == "sqlite":
            snapshot = _sqlite_copy(_sqlite_path(url), copy)
        else:
            snapshot, schema = _pg_dump(url, copy)
        size, digest = _sha256(copy)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": taken.isoformat(),
            "database": kind,
            "schema": schema,
            "alembic_revision": snapshot.revision,
            "audit_anchor": snapshot.anchor,
            "row_counts": snapshot.counts,
            "database_file": copy.name,
            "database_bytes": size,
            "database_sha256": digest,
        }
        path = _write_archive(directory, taken, manifest, copy)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    anchor = snapshot.anchor or "none"
    audit_chain.log.info("audit anchor %s (backup %s)", anchor, path)
    audit.security("backup.create", reason=f"{path.name}; audit anchor {anchor}")
    db.session.commit()
    return Backup(path=path, manifest=manifest)


def _private_directory(directory: Path) -> None:
    if directory.is_dir():
        return
    try:
        directory.mkdir(mode=0o700, parents=True)
        os.chmod(directory, 0o700)  # whatever the umask
    except OSError as exc:
        raise BackupError(f"Cannot create the backup directory {directory}: {exc.strerror}.") from None


def _sqlite_copy(source_path: Path, copy: Path) -> Snapshot:
    """SQLite's online backup, in one step: a consistent copy while the app keeps writing."""
    if not source_path.is_file():
        raise BackupError(f"There is no SQLite database at {source_path}.")
    timeout = int(current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", 10000)) / 1000
    source = sqlite3.connect(source_path, timeout=timeout)
    try:
        target = sqlite3.connect(copy)
        try:
            source.backup(target)  # pages=-1: every page in one step, inside one read transaction
            target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        finally:
            target.close()
    finally:
        source.close()
    reader = sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)
    try:
        fetch = lambda sql: reader.execute(sql).fetchall()  # noqa: E731
        return _describe(fetch, [row[0] for row in fetch(_SQLITE_TABLES)], _quote)
    finally:
        reader.close()


def _pg_dump(url: URL, copy: Path) -> tuple[Snapshot, str]:
    """pg_dump of the app's schema from the snapshot in which the anchor and the counts are read."""
    from app.extensions import db

    pg_dump = _tool("pg_dump")
    conninfo, env = libpq(url)
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with connection.begin():
            exported = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            schema = connection.exec_driver_sql("SELECT current_schema()").scalar_one()
            if schema is None:
                raise BackupError("The database has no schema on its search_path.")
            fetch = _sqlalchemy_fetch(connection)
            snapshot = _describe(fetch, [row[0] for row in fetch(_PG_TABLES)],
                                 lambda table: f"{_quote(schema)}.{_quote(table)}")
            # The transaction stays open, so its snapshot stays importable, until pg_dump has finished.
            _run([pg_dump, "--format=custom", f"--snapshot={exported}",
                  f"--schema={_quote(schema)}",  # quoted: the name itself, not a pattern
                  "--no-password",
                  f"--file={copy}", f"--dbname={conninfo}"], env, "pg_dump")
    return snapshot, schema


def _sha256(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _member(name: str, size: int, moment: datetime) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(moment.timestamp()), 0o600
    return info


def _write_archive(directory: Path, moment: datetime, manifest: dict, copy: Path) -> Path:
    """Write the tar under a temporary name (mkstemp: mode 0600), then link it to its final name, never
    replacing an existing backup, so a half-written file never carries a backup's name."""
    data = json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n"
    fd, part = tempfile.mkstemp(prefix=".hpd-backup-", suffix=".part", dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out:
            with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
                tar.addfile(_member(MANIFEST, len(data), moment), io.BytesIO(data))
                with open(copy, "rb") as f:
                    tar.addfile(_member(copy.name, copy.stat().st_size, moment), f)
            out.flush()
            os.fsync(out.fileno())
        stem = f"hpd-backup-{moment:%Y%m%dT%H%M%SZ}"
        for n in range(1000):
            path = directory / (f"{stem}.tar" if n == 0 else f"{stem}-{n}.tar")
            if _publish(part, path):
                break
        else:
            raise BackupError(f"Too many backups named {stem} in {directory}.")
    finally:
        if os.path.exists(part):
            os.unlink(part)
    _fsync_directory(directory)
    return path.resolve()


def _publish(part: str, path: Path) -> bool:
    """Give the finished file its name unless a file already has it."""
    try:
        os.link(part, path)  # fails if the name is taken: never replaces another backup
        return True
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links
        if path.exists():
            return False
        os.rename(part, path)
        return True


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---- restoring ---------------------------------------------------------------------------------------

def check_archive(archive: str | os.PathLike, staging: str | os.PathLike) -> Checked:
    """Read the manifest, copy the database out of the archive into `staging` and check it against the
    manifest's checksum. What is checked is what gets loaded."""
    archive = Path(archive)
    try:
        tar = tarfile.open(archive, mode="r:")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{archive} is not a backup file ({exc}).") from None
    with tar:
        manifest = _read_manifest(tar, archive)
        name = manifest["database_file"]
        try:
            member = tar.getmember(name)
        except KeyError:
            raise BackupError(f"{archive} has no {name}: it is incomplete.") from None
        if not member.isfile():
            raise BackupError(f"{archive}: {name} is not a plain file.")
        staged = Path(staging) / name
        digest, size = hashlib.sha256(), 0
        source = tar.extractfile(member)
        fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with source, os.fdopen(fd, "wb") as out:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    if size != manifest.get("database_bytes") or not hmac.compare_digest(
            digest.hexdigest(), str(manifest.get("database_sha256", ""))):
        raise BackupError(f"The database copy in {archive.name} does not match the checksum in its manifest: "
                          "the file is damaged or has been changed. Nothing was restored.")
    return Checked(archive=archive, manifest=manifest, staged=staged)


def _read_manifest(tar: tarfile.TarFile, archive: Path) -> dict:
    try:
        raw = tar.extractfile(tar.getmember(MANIFEST)).read()
        manifest = json.loads(raw)
    except (KeyError, AttributeError, ValueError, tarfile.TarError):
        raise BackupError(f"{archive} has no readable {MANIFEST}: it is not a backup made by `flask backup`.") \
            from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a backup made by `flask backup`.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{archive} is in backup format version {manifest.get('format_version')}; "
                          f"this version of the app reads version {FORMAT_VERSION}.")
    kind = manifest.get("database")
    if kind not in DATABASE_FILE or manifest.get("database_file") != DATABASE_FILE[kind]:
        raise BackupError(f"{archive} has a manifest this version of the app does not understand.")
    return manifest


def target_description() -> str:
    url = _url()
    if _kind(url) == "sqlite":
        return f"the SQLite file {_sqlite_path(url)}"
    return f"schema {target_schema()} of {url.render_as_string(hide_password=True)}"


def target_schema() -> str:
    """The schema the configured URL puts first on its search_path, else the connection's current schema."""
    from app.extensions import db

    url = _url()
    options = url.query.get("options") or ""
    if isinstance(options, tuple):
        options = " ".join(options)
    found = re.search(r"-c\s*search_path\s*=\s*((?:\\.|[^\s\\])+)", options)
    if found:
        first = found.group(1).replace("\\ ", " ").split(",")[0].strip()
        if first.startswith('"') and first.endswith('"') and len(first) > 1:
            first = first[1:-1].replace('""', '"')
        if first and first != "$user":
            return first
    with db.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT current_schema()").scalar_one() or "public"


def require_compatible_and_empty(checked: Checked) -> None:
    """Refuse a backup of the other kind of database, or a database that already has tables."""
    url = _url()
    kind = _kind(url)
    if checked.manifest["database"] != kind:
        raise BackupError(f"{checked.archive.name} is a {checked.manifest['database']} backup, but the database "
                          f"configured here is {kind}.")
    if kind == "sqlite":
        existing = _sqlite_objects(_sqlite_path(url))
    else:
        schema = target_schema()
        if schema != checked.manifest.get("schema"):
            raise BackupError(
                f"{checked.archive.name} holds schema {checked.manifest.get('schema')!r}, but the database URL "
                f"uses schema {schema!r}. pg_restore cannot rename a schema: restore into a database whose "
                f"schema is {checked.manifest.get('schema')!r}.")
        existing = _pg_objects(schema)
    if existing:
        shown = ", ".join(existing[:5]) + (" …" if len(existing) > 5 else "")
        raise BackupError(f"The database is not empty ({target_description()} has {shown}). Restore only into "
                          "an empty database: nothing was changed.")


def _sqlite_objects(path: Path) -> list[str]:
    if not path.exists() or path.stat().st_size == 0:
        return []
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")]
    finally:
        connection.close()


def _pg_objects(schema: str) -> list[str]:
    from app.extensions import db

    with db.engine.connect() as connection:
        return list(connection.execute(sa.text(
            "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :schema AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') ORDER BY c.relname"),
            {"schema": schema}).scalars())


def load(checked: Checked) -> None:
    """Load the checked copy into the configured (empty) database."""
    from app.extensions import db

    url = _url()
    db.session.remove()
    db.engine.dispose()
    if _kind(url) == "sqlite":
        path = _sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"{checked.staged.as_uri()}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(path)
            try:
                source.backup(target)
                target.execute("PRAGMA journal_mode = WAL")  # as the app runs it
            finally:
                target.close()
        finally:
            source.close()
    else:
        pg_restore = _tool("pg_restore")
        schema = checked.manifest["schema"]
        with db.engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
        conninfo, env = libpq(url)
        # One transaction: if anything fails, nothing is left behind and the restore can be run again.
        # pg_restore takes the schema's plain name (pg_dump took a pattern).
        _run([pg_restore, "--no-owner", f"--schema={schema}", "--exit-on-error", "--single-transaction",
              "--no-password", f"--dbname={conninfo}", str(checked.staged)], env, "pg_restore")
    db.engine.dispose()


def count_differences(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    differences = []
    for table in sorted(set(expected) | set(actual)):
        if table not in actual:
            differences.append(f"table {table} is missing (the backup had {expected[table]} rows)")
        elif table not in expected:
            differences.append(f"table {table} is not in the backup's manifest ({actual[table]} rows)")
        elif expected[table] != actual[table]:
            differences.append(f"{table}: {actual[table]} rows, the backup had {expected[table]}")
    return differences


def code_revision() -> str | None:
    """The schema revision this version of the code expects (the migrations' head)."""
    try:
        from alembic.script import ScriptDirectory

        config = current_app.extensions["migrate"].migrate.get_config()
        return ",".join(sorted(ScriptDirectory.from_config(config).get_heads())) or None
    except Exception:  # noqa: BLE001 - only used for advice
        return None
