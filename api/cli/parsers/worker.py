"""``fairpath worker`` (run by ``api.cli.worker``)."""

from __future__ import annotations

import argparse

from api.cli.base import handler
from api.cli.options import add_database_option


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    worker = subcommands.add_parser(
        "worker",
        help="run queued jobs (imports, reports)",
        description="Run jobs from the queue until stopped: the SQLite queue file in the data "
        "directory, or Redis when FAIRPATH_QUEUE_URL is set.",
    )
    worker.add_argument(
        "--threads",
        type=int,
        default=None,
        help="jobs at once (default FAIRPATH_WORKER_THREADS, 2)",
    )
    add_database_option(worker)
    worker.set_defaults(handler=handler("worker", "worker_command"))
