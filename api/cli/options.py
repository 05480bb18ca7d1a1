"""Options several commands share, declared without importing what the commands use."""

from __future__ import annotations

import argparse

PROGRESS_MODES = ("auto", "bar", "plain", "off")


def add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        help="overrides DATABASE_URL (default sqlite:///./fairpath.db)",
    )


def add_progress_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--progress",
        choices=PROGRESS_MODES,
        default="auto",
        help="progress on stderr: a bar on a terminal, plain lines otherwise (auto, the "
        "default), or always bar, plain or off",
    )
