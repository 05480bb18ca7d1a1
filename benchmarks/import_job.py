"""Benchmark: a 100,000-node import through the HTTP API as a job, as a client sees it.

    python -m benchmarks.import_job [--nodes N] [--database-url URL] [--queue-url redis://...]

Starts `fairpath serve` (by default: SQLite, the SQLite queue file, jobs run in the server's own
threads; with --queue-url, the API leaves jobs to a separate `fairpath worker` it also starts),
posts the CSV pair, and prints how long the 202 took to come back, each stage the job's progress
went through with the time it was first seen, the time to done, and the server's (and worker's)
peak resident memory; then the floors of ../shared/bench/floors.py, run in this process.
Targets (issue 18): the 202 "at once" (the upload streamed into the store, nothing parsed in the
request), progress advancing to done, server memory not growing with the upload.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlmodel import Session

from api.accounts.models import Role
from api.db import make_engine
from api.migrate import upgrade
from benchmarks.accounts import user_with_token
from benchmarks.api_network import Server, prepare_database, run_floors
from benchmarks.synthetic import generate
from core.organisations.models import OrganisationKind

POLL_S = 0.25
DONE_WAIT_S = 1800.0


def peak_rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--queue-url", help="redis://...: a separate worker runs the job")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="fairpath-bench-"))
    database_url = prepare_database(args.database_url, workdir)
    engine = make_engine(database_url)
    upgrade(engine)
    with Session(engine) as session:
        analyst = user_with_token(
            session,
            organisation="Bench buyer",
            kind=OrganisationKind.company,
            email="analyst@bench.example.org",
            name="Bench analyst",
            role=Role.analyst,
        )
        session.commit()
    engine.dispose()

    synthetic = generate(args.nodes, int(args.nodes * 1.5))
    nodes_csv, edges_csv = synthetic.csv_pair()
    del synthetic
    size_mb = (len(nodes_csv) + len(edges_csv)) / 1e6
    print(f"input: {args.nodes:,} nodes, {int(args.nodes * 1.5):,} edges ({size_mb:.1f} MB CSV)")

    worker = None
    if args.queue_url:
        os.environ["FAIRPATH_QUEUE_URL"] = args.queue_url
        os.environ["FAIRPATH_WORKER_IN_PROCESS"] = "false"
    server = Server(database_url, workdir)
    try:
        server.wait_healthy()
        if args.queue_url:
            worker = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "worker", "--threads", "1"],
                env={
                    **os.environ,
                    "DATABASE_URL": database_url,
                    "FAIRPATH_DATA_DIR": str(workdir / "worker-data"),
                },
                stdout=(workdir / "worker.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
        headers = {"Authorization": f"Bearer {analyst.token}"}
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=600) as client:
            network = client.post("/api/v1/networks", json={"name": "Bench import job"}).json()
            started = time.perf_counter()
            response = client.post(
                f"/api/v1/networks/{network['id']}/import",
                files={"nodes": ("nodes.csv", nodes_csv), "edges": ("edges.csv", edges_csv)},
            )
            accepted_s = time.perf_counter() - started
            if response.status_code != 202:
                raise SystemExit(f"expected 202, got {response.status_code}: {response.text}")
            print(f"202 Accepted after {accepted_s:.2f} s (upload of {size_mb:.1f} MB included)")
            job_url = response.headers["Location"]
            seen: list[tuple[float, str, int, int | None]] = []
            deadline = time.monotonic() + DONE_WAIT_S
            job = response.json()
            while job["state"] not in ("done", "failed") and time.monotonic() < deadline:
                progress = job["progress"]
                point = (progress["stage"], progress["done"], progress["total"])
                if not seen or seen[-1][1:] != point:
                    seen.append((time.perf_counter() - started, *point))
                time.sleep(POLL_S)
                job = client.get(job_url).json()
            total_s = time.perf_counter() - started
        print(f"job {job['id']}: {job['state']} after {total_s:.1f} s, attempts {job['attempts']}")
        if job["state"] != "done":
            print(job.get("problem"))
        print("progress seen by polling every 0.25 s (first time each value was seen):")
        for at, stage, done, total in seen:
            figure = f"{done:,}/{total:,}" if total else ""
            print(f"  {at:7.2f} s  {stage:<20} {figure}")
        server_peak = peak_rss_mb(server.process.pid)
        print(f"server peak RSS: {server_peak:.0f} MB" if server_peak else "server peak RSS: ?")
        if worker is not None:
            worker_peak = peak_rss_mb(worker.pid)
            print(f"worker peak RSS: {worker_peak:.0f} MB" if worker_peak else "")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        server.stop()
    _figures, floors = run_floors()
    print(floors)


if __name__ == "__main__":
    main()
