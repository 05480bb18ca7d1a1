"""What every CLI command shares: settings, a transactional session and error reporting."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from api.cli.database_errors import connection_problem, url_problem
from api.db import make_engine
from api.migrate import DatabaseNotMigrated, ensure_migrated
from api.settings import Settings, get_settings, normalise_database_url
from api.work import transaction as transaction  # the commands' unit of work
from core.errors import FairpathError, NotFound
from core.tenancy import Scope
from supplychain import service as networks
from supplychain.models import Network

Handler = Callable[[argparse.Namespace], int]


class CommandFailed(Exception):
    """A command could not do its job; the message is for the person at the terminal."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def settings_from(args: argparse.Namespace) -> Settings:
    try:
        settings = get_settings()
    except ValidationError as exc:  # a bad environment variable: say which, no traceback
        problems = "; ".join(
            f"{_variable(error['loc'])}: {error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        raise CommandFailed(f"configuration: {problems}") from exc
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


def add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        help="overrides DATABASE_URL (default sqlite:///./fairpath.db)",
    )


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


def report_problem(error: FairpathError) -> str:
    lines = [error.detail]
    for item in error.errors[:50]:
        where = ", ".join(f"{k} {v}" for k, v in item.items() if k != "message" and v is not None)
        lines.append(f"  - {where}: {item.get('message')}" if where else f"  - {item['message']}")
    if len(error.errors) > 50:
        lines.append(f"  ... and {len(error.errors) - 50} more")
    return "\n".join(lines)


def run_command(args: argparse.Namespace) -> int:
    handler: Handler = args.handler
    try:
        return handler(args)
    except FairpathError as error:
        raise CommandFailed(report_problem(error), exit_code=2) from error
    except OSError as error:  # a file or folder named on the command line
        if error.filename is None:
            raise
        place = Path(str(error.filename))
        hint = (
            f"; create the folder {place.parent} first"
            if isinstance(error, FileNotFoundError) and not place.parent.exists()
            else ""
        )
        raise CommandFailed(f"{place}: {error.strerror}{hint}") from error


def echo(message: str = "") -> None:
    print(message, file=sys.stdout)


def network_or_fail(session: Session, network_id: int) -> Network:
    """The network with this id, in any organisation (the shell is trusted), or a clear error."""
    try:
        return networks.get_network(session, scope=Scope.everything(), network_id=network_id)
    except NotFound as exc:
        raise CommandFailed(str(exc)) from exc
