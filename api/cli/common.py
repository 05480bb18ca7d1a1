"""What every CLI command's implementation shares: settings, an engine, a transactional session.

Imported only when a command runs (it loads the ORM and the app's settings); what the parser
needs is in ``api.cli.base`` (``CommandFailed`` and ``echo`` are re-exported here).
"""

from __future__ import annotations

import argparse

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from api.cli.base import CommandFailed as CommandFailed
from api.cli.base import echo as echo
from api.cli.database_errors import connection_problem, url_problem
from api.db import make_engine
from api.migrate import DatabaseNotMigrated, ensure_migrated
from api.settings import Settings, get_settings, normalise_database_url
from api.work import transaction as transaction  # the commands' unit of work
from audit.training import facts as training_facts
from core.errors import NotFound
from core.tenancy import Scope
from supplychain import service as networks
from supplychain.models import Network


def settings_from(args: argparse.Namespace) -> Settings:
    try:
        settings = get_settings()
    except ValidationError as exc:  # a bad environment variable: say which, no traceback
        problems = "; ".join(
            f"{_variable(error['loc'])}: {error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        raise CommandFailed(f"configuration: {problems}") from exc
    # Findings refreshed by any command (an import, `findings refresh`, a worker's job) judge
    # trainings current by the configured validity, as the server's do.
    training_facts.configure_validity(settings.training_validity_months)
    url = getattr(args, "database_url", None)
    if not url:
        return settings
    # As DATABASE_URL is read: postgres:// and postgresql:// mean the psycopg driver.
    return settings.model_copy(update={"database_url": normalise_database_url(url)})


def service_settings_from(args: argparse.Namespace) -> Settings:
    """The settings of a long-running process (a server, a worker), refused in one line when
    they are not safe for production."""
    settings = settings_from(args)
    try:
        settings.check_production_safety()
    except RuntimeError as exc:
        raise CommandFailed(str(exc)) from exc
    return settings


def _variable(location: tuple[int | str, ...]) -> str:
    """The environment variable a settings field is read from."""
    field = ".".join(map(str, location))
    return "DATABASE_URL" if field == "database_url" else f"FAIRPATH_{field.upper()}"


def engine_for(args: argparse.Namespace, *, require_migrated: bool = True) -> Engine:
    url = settings_from(args).database_url
    problem = url_problem(url)
    if problem:
        raise CommandFailed(problem)
    engine = make_engine(url)
    try:
        if require_migrated:
            ensure_migrated(engine)
        else:
            with engine.connect():
                pass
    except DatabaseNotMigrated as exc:
        raise CommandFailed(str(exc)) from exc
    except DBAPIError as exc:
        raise CommandFailed(connection_problem(url, exc)) from exc
    return engine


def network_or_fail(session: Session, network_id: int) -> Network:
    """The network with this id, in any organisation (the shell is trusted), or a clear error."""
    try:
        return networks.get_network(session, scope=Scope.everything(), network_id=network_id)
    except NotFound as exc:
        raise CommandFailed(str(exc)) from exc
