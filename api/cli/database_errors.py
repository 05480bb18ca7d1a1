"""A database the command cannot use, said in one line with what to do, never a traceback.

The URL's shape is checked before anything connects (an unsupported scheme, a SQLite file in
a folder that does not exist); a failed connection is then told apart by the driver's own
message (no such database, nothing listening, wrong password).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

SUPPORTED = "sqlite:///path/to/fairpath.db or postgresql://user:password@host:5432/database"


def url_problem(url: str) -> str | None:
    """Why this URL cannot work, before connecting; None when it may."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return f"the database URL {_shown(url)!r} is not a URL; use {SUPPORTED}"
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            folder = Path(database).expanduser().resolve().parent
            if not folder.is_dir():
                return f"the folder {folder} for the SQLite database does not exist; create it"
        return None
    if backend == "postgresql" and driver in ("psycopg", "postgresql"):
        return None
    return f"unsupported database {parsed.drivername!r}; use {SUPPORTED}"


def connection_problem(url: str, error: DBAPIError) -> str:
    """The driver's reason, in one line, with the likely fix."""
    parsed = make_url(url)
    reason = str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    lowered = reason.lower()
    if "does not exist" in lowered and "database" in lowered:
        hint = f"create it (createdb -h {parsed.host or 'localhost'} {parsed.database})"
    elif "connection refused" in lowered or "could not connect" in lowered:
        hint = f"is PostgreSQL running and listening at {where}?"
    elif "password" in lowered or "authentication" in lowered:
        hint = "check the user name and password in the URL"
    elif "unable to open database file" in lowered:
        hint = "check the SQLite file's path and its folder's permissions"
    else:
        hint = "check DATABASE_URL (or --database-url)"
    return f"cannot use the database {_shown(url)!r}: {reason.rstrip('.')}; {hint}"


def _shown(url: str) -> str:
    """The URL without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
