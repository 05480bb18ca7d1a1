"""What building the parser and running ``main`` need, and nothing heavier than the standard
library and ``core.errors``: ``fairpath --help`` loads only this, ``api.cli.options`` and
``api.cli.parsers`` (no ORM, web framework, PDF or graph library).

A command is registered with a ``DeferredHandler``, its implementation's module and function by
name, so that module (and everything it imports) is loaded only when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import cast

from core.errors import FairpathError

Handler = Callable[[argparse.Namespace], int]


class CommandFailed(Exception):
    """A command could not do its job; the message is for the person at the terminal."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class DeferredHandler:
    """A command's handler, imported when the command runs rather than when it is registered
    (the implementations import the app, the ORM and the renderers)."""

    module: str
    function: str

    def resolve(self) -> Handler:
        return cast(Handler, getattr(import_module(self.module), self.function))

    def __call__(self, args: argparse.Namespace) -> int:
        return self.resolve()(args)


def handler(module: str, function: str) -> DeferredHandler:
    """The handler ``function`` of ``api.cli.<module>``."""
    return DeferredHandler(f"api.cli.{module}", function)


def report_problem(error: FairpathError) -> str:
    lines = [error.detail]
    for item in error.errors[:50]:
        where = ", ".join(f"{k} {v}" for k, v in item.items() if k != "message" and v is not None)
        lines.append(f"  - {where}: {item.get('message')}" if where else f"  - {item['message']}")
    if len(error.errors) > 50:
        lines.append(f"  ... and {len(error.errors) - 50} more")
    return "\n".join(lines)


def run_command(args: argparse.Namespace) -> int:
    command: Handler = args.handler
    try:
        return command(args)
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
