"""``fairpath worker``: run queued jobs (imports, reports) until stopped.

Start as many as the work needs, on as many machines as share the database and the queue
(``FAIRPATH_QUEUE_URL``); each also watches for jobs whose worker was lost and retries them.
Ctrl-C (SIGINT) finishes the running jobs first; SIGTERM stops at once, and the interrupted
jobs, rolled back, are retried by the next worker.
"""

from __future__ import annotations

import argparse
import logging

from api.cli.common import (
    CommandFailed,
    echo,
    engine_for,
    service_settings_from,
)
from api.jobs.queue import build_queue, check_reachable, describe, quiet_broker_errors
from core.errors import ServiceUnavailable


def worker_command(args: argparse.Namespace) -> int:
    settings = service_settings_from(args)
    if settings.queue_url == "immediate":
        raise CommandFailed(
            'FAIRPATH_QUEUE_URL="immediate" runs jobs inside requests: there is no queue to '
            "work on; unset it or point it at Redis"
        )
    threads = args.threads or settings.worker_threads
    if not 1 <= threads <= 32:
        raise CommandFailed("--threads must be between 1 and 32")
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(message)s")
    engine = engine_for(args)  # refuses, with the upgrade hint, on an unmigrated database
    queue = build_queue(settings, engine)
    try:
        check_reachable(queue, settings)
    except ServiceUnavailable as exc:
        raise CommandFailed(exc.detail) from exc
    echo(f"Fairpath worker: {threads} thread(s) on the queue {describe(settings)}")
    queue.reap_once()
    queue.start_reaper()
    try:
        consumer = queue.consumer(threads)
        quiet_broker_errors()  # once the consumer has made its loggers
        consumer.run()  # until SIGINT or SIGTERM
    finally:
        queue.stop_reaper()
    return 0
