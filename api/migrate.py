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
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
UPGRADE_HINT = "fairpath db upgrade"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


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
