"""Apply and inspect Alembic migrations without an alembic.ini on disk.

The migration scripts ship inside the package, so ``fairpath db upgrade`` works from a wheel as
well as from a checkout, and the server can refuse to start on a database that is behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
UPGRADE_HINT = "fairpath db upgrade"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


# The key every Fairpath process migrates under (PostgreSQL advisory locks are per database).
MIGRATION_LOCK_KEY = 0x4650_4D49_4752  # "FPMIGR"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate under a lock, in one transaction: replicas that start together each run
    ``fairpath db upgrade``; the first migrates, the others wait, then find nothing to do.
    (Without it, two of three replicas starting at once crashed on tables the first had
    just created.)"""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        _hold_migration_lock(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _hold_migration_lock(connection: Connection) -> None:
    """Until the transaction ends: PostgreSQL's advisory lock, or SQLite's write lock taken
    before the current revision is read (its busy timeout is the wait)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


@dataclass(frozen=True)
class MigrationState:
    current: str | None
    head: str | None

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def migration_state(engine: Engine) -> MigrationState:
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return MigrationState(current=current, head=head_revision())


class DatabaseNotMigrated(RuntimeError):
    """The schema is older than the code; serving would corrupt data or fail at random."""


def ensure_migrated(engine: Engine) -> None:
    state = migration_state(engine)
    if not state.up_to_date:
        where = engine.url.render_as_string(hide_password=True)
        found = state.current or "an empty database"
        raise DatabaseNotMigrated(
            f"The database at {where} is not up to date (found {found}, need {state.head}). "
            f"Run `{UPGRADE_HINT}` first."
        )
