"""``fairpath --help`` answers at once: building the parser imports no heavy library.

Wall-clock time depends on the machine, so what is checked is structural: the modules a help
screen loads (``-X importtime`` of the real entry point, and ``sys.modules`` after each command's
help) include none of the libraries the commands themselves need, and every command still
reaches its handler when it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.accounts.models import Role
from api.cli import build_parser
from api.cli.base import DeferredHandler
from api.cli.parsers.campaigns import STATUSES as PARSED_STATUSES
from api.cli.parsers.networks import EXPORT_FORMATS as PARSED_EXPORT_FORMATS
from api.cli.parsers.users import ROLES
from audit.campaigns.schedule import TargetStatus
from supplychain.export import EXPORT_FORMATS

ROOT = Path(__file__).resolve().parents[2]
# What the commands need and a help screen must not load: the ORM, the web framework and
# server, the PDF library, the graph library, the spreadsheet library, the queue, the app.
HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "fastapi",
    "reportlab",
    "networkx",
    "openpyxl",
    "huey",
    "uvicorn",
    "api.app",
)


def _python(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )


def _heavy(modules: list[str]) -> list[str]:
    """The heavy packages (or any of their submodules) among ``modules``."""
    return sorted({m for m in modules if any(m == h or m.startswith(f"{h}.") for h in HEAVY)})


def _imported(importtime_log: str) -> list[str]:
    """Module names from ``-X importtime`` lines: ``import time: self | cumulative | name``."""
    return [
        line.rsplit("|", 1)[1].strip()
        for line in importtime_log.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    ]


def _command_paths(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    """Every command and action, e.g. ``("db",)`` and ``("db", "upgrade")``."""
    paths: list[tuple[str, ...]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                paths.append((*prefix, name))
                paths.extend(_command_paths(subparser, (*prefix, name)))
    return paths


def _leaf_parsers(
    parser: argparse.ArgumentParser,
) -> list[tuple[str, argparse.ArgumentParser]]:
    leaves: list[tuple[str, argparse.ArgumentParser]] = []
    subcommands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subcommands:
        return [(parser.prog, parser)]
    for action in subcommands:
        for subparser in action.choices.values():
            leaves.extend(_leaf_parsers(subparser))
    return leaves


def test_the_top_level_help_imports_no_heavy_library() -> None:
    result = _python("-X", "importtime", "-m", "api.cli", "--help")
    assert result.returncode == 0, result.stderr
    assert "serve" in result.stdout and "report" in result.stdout
    imported = _imported(result.stderr)
    assert "api.cli" in imported, "the import log was not read"
    assert _heavy(imported) == []


def test_the_version_imports_no_heavy_library() -> None:
    result = _python("-X", "importtime", "-m", "api.cli", "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("fairpath ")
    assert _heavy(_imported(result.stderr)) == []


def test_no_command_help_imports_a_heavy_library() -> None:
    """One process walks every command's ``--help`` through ``main`` and says, per command,
    what it loaded: the parser is built once, as ``fairpath`` builds it."""
    paths = [list(p) for p in _command_paths(build_parser())]
    assert ["db", "upgrade"] in paths and ["import"] in paths and ["demo"] in paths
    script = f"""
import contextlib, io, json, sys
from api.cli import main
heavy = {HEAVY!r}
loaded = {{}}
for path in {paths!r}:
    with contextlib.redirect_stdout(io.StringIO()) as out:
        try:
            main([*path, "--help"])
        except SystemExit as exit:
            assert exit.code == 0, (path, exit.code)
    assert "usage: fairpath " + " ".join(path) in out.getvalue(), path
    loaded[" ".join(path)] = sorted(
        m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy)
    )
print(json.dumps(loaded))
"""
    result = _python("-c", script)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, list[str]] = json.loads(result.stdout)
    assert set(loaded) == {" ".join(p) for p in paths}
    assert {command: mods for command, mods in loaded.items() if mods} == {}


def test_every_command_reaches_a_handler_that_exists() -> None:
    """Handlers are named by module and function so that registering imports neither; a
    misspelt name would only show when the command runs, so each is resolved here."""
    leaves = _leaf_parsers(build_parser())
    assert len(leaves) >= 15
    for prog, parser in leaves:
        handler = parser.get_default("handler")
        assert isinstance(handler, DeferredHandler), prog
        assert callable(handler.resolve()), prog


@pytest.mark.parametrize(
    ("declared", "actual"),
    [
        (ROLES, tuple(role.value for role in Role)),
        (PARSED_EXPORT_FORMATS, tuple(EXPORT_FORMATS)),
        (PARSED_STATUSES, tuple(status.value for status in TargetStatus)),
    ],
    ids=["user roles", "export formats", "campaign statuses"],
)
def test_choices_written_out_for_the_parser_match_the_domain(
    declared: tuple[str, ...], actual: tuple[str, ...]
) -> None:
    """The parser lists these choices itself (the domain modules import the ORM); they must
    not drift from the enum and the exporter."""
    assert declared == actual
