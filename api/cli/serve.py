"""``fairpath serve``: run the HTTP API (and web pages) with uvicorn."""

from __future__ import annotations

import argparse
import os

import uvicorn

from api.app import create_app
from api.cli.common import (
    echo,
    engine_for,
    service_settings_from,
)
from api.jobs.queue import describe


def serve_command(args: argparse.Namespace) -> int:
    settings = service_settings_from(args)
    engine = engine_for(args)  # refuses, with the upgrade hint, on an unmigrated database
    echo(f"Fairpath serving on http://{args.host}:{args.port} (API docs at /api/v1/docs)")
    if settings.worker_in_process:
        echo(f"Jobs run in this server's threads, from the queue {describe(settings)}")
    else:
        echo(f"Jobs wait for `fairpath worker` on the queue {describe(settings)}")
    if args.workers > 1:
        # Worker processes build their own app from the environment.
        os.environ["DATABASE_URL"] = settings.database_url
        uvicorn.run(
            "api.asgi:app", host=args.host, port=args.port, workers=args.workers, log_level="info"
        )
    else:
        uvicorn.run(create_app(settings, engine), host=args.host, port=args.port, log_level="info")
    return 0
