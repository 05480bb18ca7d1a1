"""The migrations and the SQLModel tables must describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from api.migrate import head_revision, migration_state
from api.tables import metadata


def test_upgrade_head_leaves_no_difference_from_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_database_is_at_head(engine: Engine) -> None:
    state = migration_state(engine)
    assert state.current == head_revision()
    assert state.up_to_date
