"""Benchmark: import a 100,000-node / 150,000-edge network from CSV and build its graph.

    python -m benchmarks.import_network [--nodes N] [--edges M] [--database-url URL]

Prints rows per second for the CSV import and where its time goes (reading the CSV,
validating the rows and the whole network, writing), seconds to build the NetworkX graph from
the database, and the process's peak memory. Validation is timed as a dry run of the same import
(it validates everything and writes nothing); writing is the real import's time beyond it.
Targets on a 2-core machine: import under 20 s, graph build under 3 s, peak memory under 1.5 GB
(the import's own issue asks for under 5 s through the HTTP API).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from api.db import make_engine
from api.migrate import upgrade
from benchmarks.synthetic import generate
from core.organisations.models import Organisation
from core.problems import Problems
from core.tenancy import Scope
from supplychain import formats
from supplychain import service as networks
from supplychain.graph import build_graph
from supplychain.schemas import NetworkCreate


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=150_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="fairpath-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)

    synthetic = generate(args.nodes, args.edges)
    nodes_csv, edges_csv = synthetic.csv_pair()
    rows = len(synthetic.nodes) + len(synthetic.edges)
    del synthetic
    print(f"database: {engine.url.render_as_string(hide_password=True)}")
    print(
        f"input: {args.nodes:,} nodes, {args.edges:,} edges "
        f"({(len(nodes_csv) + len(edges_csv)) / 1e6:.1f} MB of CSV)"
    )

    with Session(engine, expire_on_commit=False) as session:
        organisation = Organisation(name=f"Bench {time.time()}")
        session.add(organisation)
        session.flush()
        network = networks.create_network(
            session,
            scope=Scope.everything(),
            own_organisation_id=organisation.id or 0,
            data=NetworkCreate(name="bench"),
        )
        session.commit()

        files = {"nodes": ("nodes.csv", nodes_csv), "edges": ("edges.csv", edges_csv)}
        dry_raw = formats.read_upload(files, Problems())
        started = time.perf_counter()
        checked = networks.import_network(session, network=network, raw=dry_raw, dry_run=True)
        validation = time.perf_counter() - started
        del dry_raw
        assert checked.dry_run and checked.nodes["created"] == args.nodes

        started = time.perf_counter()
        problems = Problems()
        raw = formats.read_upload(files, problems)
        parsed = time.perf_counter()
        result = networks.import_network(session, network=network, raw=raw, problems=problems)
        session.commit()
        imported = time.perf_counter()
        del raw
        assert result.nodes["created"] == args.nodes and result.edges["created"] == args.edges

        elapsed = imported - started
        print(
            f"CSV import: {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s; reading "
            f"{parsed - started:.2f} s, validating {validation:.2f} s (dry run), writing and "
            f"committing {imported - parsed - validation:.2f} s)"
        )

        started = time.perf_counter()
        reimport = networks.import_network(
            session, network=network, raw=formats.read_upload(files, Problems())
        )
        session.commit()
        print(
            f"re-import of the same files (all unchanged): "
            f"{time.perf_counter() - started:.2f} s "
            f"({reimport.nodes['unchanged']:,} nodes unchanged)"
        )

        started = time.perf_counter()
        graph = build_graph(session, network)
        print(
            f"graph build: {time.perf_counter() - started:.2f} s "
            f"({graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges)"
        )
    print(f"peak memory (RSS): {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
