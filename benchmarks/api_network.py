"""Benchmark: the HTTP API as a large buyer uses it, on a 100,000-node / 150,000-edge network.

    python benchmarks/api_network.py [--nodes N] [--edges M] [--database-url URL] [--calls C]
        [--second-network] [--skip-floors]

The other benchmarks time the domain code in-process; this one measures what a client sees:
a real ``fairpath serve`` process on 127.0.0.1, called over HTTP with an API token. It

1. migrates a fresh database (SQLite in a temporary directory by default; for a PostgreSQL URL
   it drops and recreates the dedicated database ``fairpath_bench`` on that server and never
   touches any other), creates a buyer organisation, an admin and an API token;
2. starts the server on a free loopback port and waits for ``/healthz``;
3. creates a network, imports the synthetic CSV pair of ``benchmarks/synthetic.py`` with
   ``POST /networks/{id}/import`` (timed) and reads the scores at once (graph build and full
   scoring of the bare network);
4. bulk-writes assessments for about 30 % of recruiters and suppliers straight into the
   assessment table, with the answer sets, shares and ages of ``benchmarks/score_network.py``
   (80 % accepted, the rest submitted) on the questionnaire versions the server published:
   29,000 assessments through the API, four calls each, would take hours. Only assessment rows
   are written (no invitations or audit events); then ``POST /findings/refresh`` does what the
   server's post-commit hook would have done had they come through it. Every endpoint is read
   once, and the remediation plan is built once (``POST /plan``);
5. takes one recruiter through the real review path over HTTP (assign, answers with a critical
   red flag, submit, accept) and times the review call, the time until ``GET /scores`` shows
   the acceptance, and the time until the findings are current again (the server regenerates
   them in the background after each write);
6. per endpoint: accepts one more submitted assessment over HTTP (a change), times the first
   call right after it, waits until the background refresh is done (``GET /findings`` says
   ``current``), then times ``--calls`` more calls (p50 and worst);
7. signs in to the dashboard as that user through the real form (the benchmark gives the user
   a password; ``GET /login``, then ``POST /login`` with email, password and the form's CSRF
   token, cookies kept) and, per page, as in 6: one change, the first page view right after
   it, then ``--calls`` more once the findings are current; every page must answer 200 (the
   overview, a nodes page and a search, heatmaps, the graph whole, by corridor and by
   supplier, the corridor's graph data, findings, plan, assessments and, where the server has
   it, training);
8. edits one node (which bumps the network version, so scoring starts over) and times the next
   scores call;
9. reads the server's peak RSS (``VmHWM``); with ``--second-network`` imports the files again
   into a second network, reads it, and reads the peak RSS with both in the server's caches;
10. stops the server, runs ``shared/bench/floors.py`` in this process (unless
    ``--skip-floors``) and prints Markdown tables with the targets: paginated reads and
    dashboard pages p50 under 0.3 s and under 1 s right after a change, re-score until
    readable under 1 s, import under 5 s and within 15 times the raw-insert floor, server
    peak RSS under 1.5 GB.

Progress goes to stderr; the tables to stdout. The 100,000-node run takes several minutes.
Run from the project root with the project installed; also runs as
``python -m benchmarks.api_network``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import re
import runpy
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the project root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlalchemy import insert
from sqlalchemy import select as sa_select
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session, col, select

from api.accounts.models import Role
from api.db import make_engine
from api.migrate import upgrade
from benchmarks.accounts import user_with_token
from benchmarks.api_client import Api, Call, Series, items_of, shape
from benchmarks.dashboard_client import Browser, give_password
from benchmarks.score_network import ACCEPTED_SHARE, ASSESSED_SHARE, MAX_AGE_DAYS, answer_sets
from benchmarks.synthetic import generate
from core.clock import utcnow
from core.organisations import service as organisations
from core.organisations.models import OrganisationKind
from core.tenancy import Scope
from questionnaires import service as questionnaire_service
from questionnaires.answers import prune_hidden, validate_answers
from questionnaires.definition import Questionnaire
from questionnaires.models import Assessment, AssessmentStatus
from scoring.profile import ScoringProfile
from supplychain.models import Node

ROOT = Path(__file__).resolve().parent.parent
FLOORS = ROOT.parent / "shared" / "bench" / "floors.py"
BENCH_DATABASE = "fairpath_bench"  # the only PostgreSQL database this script drops
PROTECTED_DATABASES = {"test"}  # never connected to, never dropped
PAGE: dict[str, Any] = {"limit": 50}  # every list endpoint is (or is becoming) paginated
READ_P50_S, READ_FIRST_S = 0.3, 1.0
RESCORE_S = 1.0
IMPORT_S, IMPORT_FLOOR_RATIO = 5.0, 15.0
RSS_LIMIT_MB = 1.5 * 1024
FLOOR_NODES, FLOOR_EDGES = 100_000, 150_000  # the size floors.py always measures
SEED = 7  # as benchmarks/score_network.py: the same nodes get the same answer sets
CHUNK = 5_000
MAX_AGE_FOR_SCORING = ScoringProfile().assessment_max_age_days  # older: a stale data gap
HEALTH_WAIT_S = 120.0
READABLE_WAIT_S = 120.0
SETTLE_WAIT_S = 900.0

_STARTED = time.perf_counter()


def progress(message: str) -> None:
    """Stages on stderr, so a long run shows where it is without mixing into the tables."""
    print(f"[{time.perf_counter() - _STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


# Database ------------------------------------------------------------------------------------


def prepare_database(option: str | None, workdir: Path) -> str:
    """A URL to an empty database: never an existing SQLite file, never a PostgreSQL database
    other than the dedicated benchmark one."""
    if option is None:
        return f"sqlite:///{workdir / 'bench.db'}"
    url = make_url(option)
    if url.get_backend_name() == "postgresql":
        return recreate_postgres(url).render_as_string(hide_password=False)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if not url.database or url.database == ":memory:":
            raise SystemExit("an in-memory SQLite database cannot be shared with the server")
        if path.exists():
            raise SystemExit(
                f"{path} exists; name a new SQLite file (the benchmark needs it empty)"
            )
        return option
    raise SystemExit(f"unsupported database {url.get_backend_name()!r}")


def recreate_postgres(url: URL) -> URL:
    """Drop and create ``fairpath_bench`` on the URL's server, connected to a maintenance
    database: dropping tables one by one would leave the Alembic state and sequences behind."""
    import psycopg
    from psycopg import sql

    url = url.set(drivername="postgresql+psycopg")
    maintenance = "postgres"  # the URL's own database is never connected to
    assert BENCH_DATABASE not in PROTECTED_DATABASES | {maintenance}
    connect: dict[str, Any] = {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username,
        "password": url.password,
        "dbname": maintenance,
    }
    if url.database and url.database != BENCH_DATABASE:
        progress(
            f"PostgreSQL: using the dedicated database {BENCH_DATABASE!r}, not {url.database!r}"
        )
    with psycopg.connect(
        **{k: v for k, v in connect.items() if v is not None}, autocommit=True
    ) as connection:
        name = sql.Identifier(BENCH_DATABASE)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))
    return url.set(database=BENCH_DATABASE)


@dataclass(frozen=True)
class Accounts:
    token: str
    user_id: int
    buyer_id: int


def create_accounts(engine: Engine) -> Accounts:
    """An admin of the programme (``fairpath users create --role admin``), plus the buyer that
    owns the networks."""
    with Session(engine, expire_on_commit=False) as session:
        buyer = organisations.get_or_create_organisation(
            session, "Bench Buyer", OrganisationKind.company
        )
        admin = user_with_token(
            session,
            organisation="Fairpath programme",
            kind=OrganisationKind.programme,
            email="bench-admin@fairpath.example",
            name="API benchmark",
            role=Role.admin,
        )
        session.commit()
        return Accounts(admin.token, admin.user_id, buyer.id or 0)


# Server --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``fairpath serve`` in its own process and session, so Ctrl-C reaches only this script,
    which then stops the server itself."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "server.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "FAIRPATH_DATA_DIR": str(workdir / "data"),
            "FAIRPATH_LOG_LEVEL": "WARNING",
        }
        # `fairpath serve`; the URL goes in the environment, not where `ps` shows a password.
        command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port)]
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + HEALTH_WAIT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the server did not answer /healthz in {HEALTH_WAIT_S:.0f} s")

    def peak_rss_mb(self) -> float | None:
        """``VmHWM``: the server process's own high-water mark of resident memory (Linux)."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        return int(found.group(1)) / 1024 if found else None

    def log(self, lines: int = 40) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def problems(self) -> list[str]:
        """Warnings, errors and tracebacks the server logged (access lines left out)."""
        self._log.flush()
        lines = self.log_path.read_text(errors="replace").splitlines()
        return [line for line in lines if re.search(r"WARNING|ERROR|CRITICAL|Traceback", line)]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


@contextlib.contextmanager
def running_server(database_url: str, workdir: Path) -> Iterator[Server]:
    progress("starting the server (fairpath serve) on 127.0.0.1")
    server = Server(database_url, workdir)
    try:
        server.wait_healthy()
        progress(f"server up at {server.base_url} (pid {server.process.pid})")
        yield server
    finally:
        progress("stopping the server")
        server.stop()


# Network -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeRow:
    id: int
    external_id: str
    kind: str
    role: str | None
    name: str
    country: str


def create_and_import(
    api: Api, name: str, buyer_id: int, nodes_csv: bytes, edges_csv: bytes
) -> tuple[int, Call]:
    """``POST /networks`` then the multipart CSV import, as a client uploads it."""
    created = api.post("/api/v1/networks", json={"name": name, "organisation_id": buyer_id})
    if not created.ok:
        raise SystemExit(f"creating the network failed: {created.outcome()} {created.error}")
    network_id = int(created.body["id"])
    files = {
        "nodes": ("nodes.csv", nodes_csv, "text/csv"),
        "edges": ("edges.csv", edges_csv, "text/csv"),
    }
    imported = api.call("POST", f"/api/v1/networks/{network_id}/import", files=files)
    if not imported.ok:
        raise SystemExit(f"the import failed: {imported.outcome()}: {imported.error}")
    return network_id, imported


def network_nodes(engine: Engine, network_id: int) -> list[NodeRow]:
    """The imported nodes in id order (the CSV order), as plain rows."""
    names = ("id", "external_id", "kind", "role", "name", "country")
    columns = [col(getattr(Node, name)) for name in names]
    with Session(engine) as session:
        rows = session.execute(
            sa_select(*columns).where(col(Node.network_id) == network_id).order_by(col(Node.id))
        ).all()
    return [
        NodeRow(int(i), ext, str(getattr(kind, "value", kind)), getattr(role, "value", role), n, c)
        for i, ext, kind, role, n, c in rows
    ]


# Assessments ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    record_id: int
    label: str
    questionnaire: Questionnaire


@dataclass(frozen=True)
class AnswerSet:
    label: str
    weight: float
    answers: dict[str, Any]  # as a client sends them
    stored: dict[str, Any]  # as save_answers stores them: validated, hidden ones pruned


def library_forms(engine: Engine) -> dict[str, Form]:
    """Per node kind, the questionnaire version ``assign`` picks by default: the latest library
    version the server published at start-up."""
    forms: dict[str, Form] = {}
    with Session(engine) as session:
        records = questionnaire_service.list_questionnaires(
            session, scope=Scope.everything(), latest_only=True
        )
        for kind in ("recruiter", "supplier"):
            for record in records:
                document = questionnaire_service.parsed(record)
                if record.organisation_id is None and document.applies_to_node(kind, None):
                    label = f"{record.key} v{record.version}"
                    forms[kind] = Form(record.id or 0, label, document)
                    break
    if set(forms) != {"recruiter", "supplier"}:
        raise SystemExit(f"the server published no library questionnaire for {forms.keys()}")
    return forms


def stored_sets(forms: dict[str, Form]) -> dict[str, list[AnswerSet]]:
    """score_network's answer sets, cleaned the way ``save_answers`` cleans what it stores."""
    plans = answer_sets({kind: form.questionnaire for kind, form in forms.items()})
    result: dict[str, list[AnswerSet]] = {}
    for kind, plan in plans.items():
        questionnaire = forms[kind].questionnaire
        result[kind] = []
        for label, weight, answers in plan:
            cleaned, errors = validate_answers(questionnaire, answers, {})
            if errors:
                raise SystemExit(f"{kind} answer set {label!r} does not validate: {errors}")
            kept = {k: v for k, v in cleaned.items() if v is not None}
            result[kind].append(
                AnswerSet(label, weight, answers, prune_hidden(questionnaire, kept))
            )
    return result


@dataclass
class BulkResult:
    seconds: float
    statuses: Counter[str]
    stale: int
    assessed_nodes: set[int]
    submitted_ids: list[int] = field(default_factory=list)


def bulk_assessments(
    engine: Engine,
    network_id: int,
    nodes: list[NodeRow],
    forms: dict[str, Form],
    sets: dict[str, list[AnswerSet]],
    user_id: int,
) -> BulkResult:
    """Assessment rows as the assign -> answer -> submit (-> accept) path leaves them: the same
    columns, statuses and timestamps, without the invitations and audit events."""
    rng = random.Random(SEED)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    statuses: Counter[str] = Counter()
    stale, assessed = 0, set()
    for node in nodes:  # the draws of score_network.attach_assessments, node for node
        if node.kind not in forms or rng.random() >= ASSESSED_SHARE:
            continue
        choices = sets[node.kind]
        index = rng.choices(range(len(choices)), weights=[c.weight for c in choices])[0]
        accepted = rng.random() < ACCEPTED_SHARE
        age = rng.randrange(MAX_AGE_DAYS)
        if not forms[node.kind].questionnaire.applies_to_node(node.kind, node.role):
            continue
        completed: datetime = now - timedelta(days=age)
        status = AssessmentStatus.accepted if accepted else AssessmentStatus.submitted
        statuses[status.value] += 1
        stale += age > MAX_AGE_FOR_SCORING
        assessed.add(node.id)
        rows.append(
            {
                "network_id": network_id,
                "node_id": node.id,
                "questionnaire_id": forms[node.kind].record_id,
                "status": status,
                "due_date": None,
                "language": "en",
                "answers": choices[index].stored,
                "review_comment": "",
                "question_comments": {},
                "assigned_by": user_id,
                "reviewed_by": user_id if accepted else None,
                "created_at": completed - timedelta(days=21),
                "updated_at": completed,
                "submitted_at": completed - timedelta(days=3) if accepted else completed,
                "reviewed_at": completed if accepted else None,
            }
        )
    started = time.perf_counter()
    with Session(engine) as session:
        for start in range(0, len(rows), CHUNK):
            session.execute(insert(Assessment), rows[start : start + CHUNK])
        session.commit()
        submitted = session.exec(
            select(Assessment.id)
            .where(
                Assessment.network_id == network_id,
                Assessment.status == AssessmentStatus.submitted,
            )
            .order_by(col(Assessment.id))
        ).all()
    took = time.perf_counter() - started
    return BulkResult(took, statuses, stale, assessed, [int(i) for i in submitted if i])


# Measurements --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    params: dict[str, Any]
    optional: bool = False  # a 404 means "not in this server", not a failure


def endpoints(network_id: int, company_id: int) -> list[Endpoint]:
    """The reads a buyer's dashboard makes, in a fixed order so runs compare."""
    base = f"/api/v1/networks/{network_id}"
    page = dict(PAGE)
    return [
        Endpoint("nodes list", f"{base}/nodes", page),
        Endpoint("edges list", f"{base}/edges", page),
        Endpoint("scores", f"{base}/scores", page),
        Endpoint("node score explanation (company)", f"{base}/nodes/{company_id}/score", {}),
        Endpoint("corridors", f"{base}/corridors", page),
        Endpoint("findings", f"{base}/findings", page),
        Endpoint("graph/gaps", f"{base}/graph/gaps", page),
        Endpoint("graph/tiers", f"{base}/graph/tiers", page),
        Endpoint("graph/chains", f"{base}/graph/chains", page),
        Endpoint("graph/stats", f"{base}/graph/stats", {}),
        Endpoint("upstream of the company", f"{base}/nodes/{company_id}/upstream", page),
        Endpoint("plan (remediation actions)", f"{base}/plan", page),
    ]


@dataclass(frozen=True)
class PageTargets:
    """What the filtered dashboard pages ask for, taken from the API reads already made."""

    corridor: str  # a corridor key as the dashboard writes it, "MM-TH"
    supplier_id: int
    search: str  # part of a node name


def page_targets(run: NetworkRun) -> PageTargets:
    """The riskiest corridor with both ends known from the corridors read, the first supplier
    of the nodes read, and a search that matches part of the suppliers' names (the first name
    ending in four digits less its last digit: "Supplier 100" matches 111 suppliers)."""
    cold = {s.label: s.first for s in run.cold if s.first is not None and s.first.ok}
    corridors = items_of(cold["corridors"].body) if "corridors" in cold else []
    key = next(
        (
            f"{row['origin']}-{row['destination']}"
            for row in corridors
            if isinstance(row, dict) and row.get("origin") and row.get("destination")
        ),
        "MM-TH",
    )
    listed = items_of(cold["nodes list"].body) if "nodes list" in cold else []
    supplier = next(
        (int(r["id"]) for r in listed if isinstance(r, dict) and r.get("kind") == "supplier"),
        next(n.id for n in run.nodes if n.kind == "supplier"),
    )
    named = next(
        (n.name for n in run.nodes if n.kind == "supplier" and re.search(r"\d{4}$", n.name)),
        next(n.name for n in run.nodes if n.kind == "supplier"),
    )
    return PageTargets(key, supplier, named[:-1])


def dashboard_pages(network_id: int, targets: PageTargets) -> list[Endpoint]:
    """The pages a signed-in analyst opens, in a fixed order so runs compare."""
    base = f"/dashboard/networks/{network_id}"
    corridor = {"corridor": targets.corridor}
    return [
        Endpoint("overview", base, {}),
        Endpoint("nodes, page 2 of 50", f"{base}/nodes", {"page": 2, "per_page": 50}),
        Endpoint(f"nodes, search {targets.search!r}", f"{base}/nodes", {"q": targets.search}),
        Endpoint("heatmaps", f"{base}/heatmaps", {}),
        Endpoint("graph (riskiest chains)", f"{base}/graph", {}),
        Endpoint(f"graph, corridor {targets.corridor}", f"{base}/graph", corridor),
        Endpoint(f"graph.json, corridor {targets.corridor}", f"{base}/graph.json", corridor),
        Endpoint(
            f"graph, supplier {targets.supplier_id}",
            f"{base}/graph",
            {"supplier": targets.supplier_id},
        ),
        Endpoint("findings, page 2", f"{base}/findings", {"page": 2}),
        Endpoint("plan", f"{base}/plan", {}),
        Endpoint("assessments, page 2", f"{base}/assessments", {"page": 2}),
        Endpoint("training", f"{base}/training", {}, optional=True),
    ]


def refresh_findings(api: Api, network_id: int) -> Call | None:
    """``POST /findings/refresh``: what the server's post-commit hook would have done after
    the assessments, had they come through it. None where the endpoint does not exist (code
    that still regenerates findings when they are read)."""
    call = api.post(f"/api/v1/networks/{network_id}/findings/refresh")
    return None if call.status in (404, 405) else call


def settle(api: Api, network_id: int, since: float) -> float | None:
    """Wait until the generated findings are current again and return the seconds since
    ``since``. The server refreshes them in the background after each write; p50 is for a
    server at rest with its results in place. None where the API does not say, or on timeout.
    """
    deadline = time.perf_counter() + SETTLE_WAIT_S
    while True:
        call = api.get(f"/api/v1/networks/{network_id}/findings", {"limit": 1})
        body = call.body if call.ok and isinstance(call.body, dict) else {}
        current = body.get("current")
        if not isinstance(current, bool):
            return None
        if current:
            return time.perf_counter() - since
        if time.perf_counter() > deadline:
            progress(f"findings still not current after {SETTLE_WAIT_S:.0f} s; going on")
            return None
        # Each poll costs the server a scores lookup that competes with the refresh for the
        # interpreter: keep polling to at most a third of its time.
        time.sleep(max(0.25, 2 * call.seconds))


def cold_round(api: Api, reads: list[Endpoint]) -> list[Series]:
    """One call each, the first reads after the import and the assessments."""
    series = []
    for endpoint in reads:
        progress(f"cold read: {endpoint.label}")
        series.append(Series(endpoint.label, first=api.get(endpoint.path, endpoint.params)))
    return series


@dataclass
class Round:
    series: list[Series] = field(default_factory=list)
    changes: list[Call] = field(default_factory=list)
    settled: list[float] = field(default_factory=list)  # change -> findings current again
    skipped: list[str] = field(default_factory=list)  # optional endpoints that answered 404


def read_round(
    api: Api,
    network_id: int,
    reads: list[Endpoint],
    calls: int,
    change: Callable[[], Call | None] | None,
    client: Api | Browser | None = None,
) -> Round:
    """Per endpoint: one change (if given), the first call right after it, then, once the
    server's background refresh is done, ``calls`` more calls. The reads go through ``client``
    (the dashboard's signed-in browser) when given; the changes and the wait through ``api``."""
    reader = client or api
    result = Round()
    for endpoint in reads:
        started = time.perf_counter()
        if change is not None and (made := change()) is not None:
            result.changes.append(made)
        progress(f"reads: {endpoint.label} (1 + {calls} calls)")
        entry = Series(endpoint.label, first=reader.get(endpoint.path, endpoint.params))
        waited = settle(api, network_id, started)
        if waited is not None and change is not None:
            result.settled.append(waited)
        if endpoint.optional and entry.first is not None and entry.first.status == 404:
            progress(f"{endpoint.path} answered 404: not in this server, skipped")
            result.skipped.append(endpoint.path)
            continue
        entry.runs = [reader.get(endpoint.path, endpoint.params) for _ in range(calls)]
        result.series.append(entry)
    return result


def accept(api: Api, network_id: int, assessment_id: int) -> Call:
    return api.post(
        f"/api/v1/networks/{network_id}/assessments/{assessment_id}/review",
        json={"decision": "accept", "comment": "Reviewed by the API benchmark."},
    )


def reviewer(api: Api, network_id: int, pending: list[int]) -> Callable[[], Call | None]:
    """A change before each endpoint's first call: accept the next submitted assessment."""

    def review_next() -> Call | None:
        if not pending:
            return None
        return accept(api, network_id, pending.pop(0))

    return review_next


@dataclass
class Rescore:
    steps: list[tuple[str, Call]] = field(default_factory=list)
    review: Call | None = None
    readable_s: float | None = None
    findings_s: float | None = None
    polls: int = 0
    note: str = ""


def name_page(node: NodeRow, nodes: list[NodeRow]) -> dict[str, Any]:
    """Scores query whose page holds ``node`` whatever its risk: sorted by name (the API's
    key: lower-cased name, then id), filtered to its kind and country."""
    peers = sorted(
        (n for n in nodes if n.kind == node.kind and n.country == node.country),
        key=lambda n: (n.name.lower(), n.id),
    )
    index = next(i for i, n in enumerate(peers) if n.id == node.id)
    limit = int(PAGE["limit"])
    return {
        "kind": node.kind,
        "country": node.country,
        "sort": "name",
        "limit": limit,
        "offset": index // limit * limit,
    }


def measure_rescore(
    api: Api, network_id: int, node: NodeRow, nodes: list[NodeRow], answers: dict[str, Any]
) -> Rescore:
    """Assign, answer (critical red flag) and submit over HTTP, then time the acceptance and
    poll ``GET /scores`` until the node's row is no longer provisional."""
    base = f"/api/v1/networks/{network_id}"
    result = Rescore()
    created = api.post(f"{base}/assessments", json={"node_id": node.id})
    result.steps.append(("assign (POST assessments)", created))
    if not created.ok:
        result.note = f"assigning failed: {created.error}"
        return result
    assessment_id = int(created.body["id"])
    steps = (
        ("answers (PUT .../answers)", "PUT", "answers", {"answers": answers}),
        ("submit (POST .../submit)", "POST", "submit", None),
    )
    for label, method, action, body in steps:
        made = api.call(method, f"{base}/assessments/{assessment_id}/{action}", json=body)
        result.steps.append((label, made))
        if not made.ok:
            result.note = f"{label} failed: {made.error}"
            return result
    params = name_page(node, nodes)
    before = api.get(f"{base}/scores", params)
    result.steps.append(("scores after the submit (provisional)", before))
    row = _row(before.body, node.id)
    by_page = row is not None and row.get("provisional") is True
    if not by_page:
        result.note = (
            f"node {node.id} not found provisional on its name-sorted page; readiness judged "
            "by the explanation endpoint instead"
        )
    settle(api, network_id, time.perf_counter())  # the submit's own refresh, out of the way

    def reflects() -> tuple[Call, bool]:
        if by_page:
            call = api.get(f"{base}/scores", params)
            found = _row(call.body, node.id) if call.ok else None
            return call, found is not None and found.get("provisional") is False
        call = api.get(f"{base}/nodes/{node.id}/score")
        body = call.body if call.ok and isinstance(call.body, dict) else {}
        compliance = body.get("compliance") or {}
        provisional = (body.get("node") or {}).get("provisional")
        return call, compliance.get("assessment_id") == assessment_id and provisional is False

    started = time.perf_counter()
    result.review = accept(api, network_id, assessment_id)
    if not result.review.ok:
        result.note = f"the review failed: {result.review.error}"
        return result
    while time.perf_counter() - started < READABLE_WAIT_S:
        polled, shows = reflects()
        result.polls += 1
        if not polled.ok:
            result.note = f"polling the scores failed: {polled.outcome()}"
            break
        if shows:
            result.readable_s = time.perf_counter() - started
            break
        time.sleep(0.05)
    result.findings_s = settle(api, network_id, started)
    return result


def _row(body: Any, node_id: int) -> dict[str, Any] | None:
    return next((r for r in items_of(body) if isinstance(r, dict) and r.get("id") == node_id), None)


@dataclass
class NodeEdit:
    edited: Call
    scores: Call
    findings_s: float | None


def edit_node(api: Api, network_id: int, node: NodeRow) -> NodeEdit:
    """A structural change (any node edit bumps the network version, so the scores must be
    recomputed in full), then the scores call right after it."""
    started = time.perf_counter()
    edited = api.patch(
        f"/api/v1/networks/{network_id}/nodes/{node.id}", {"name": f"{node.name} (edited)"}
    )
    scores = api.get(f"/api/v1/networks/{network_id}/scores", PAGE)
    return NodeEdit(edited, scores, settle(api, network_id, started))


# Floors --------------------------------------------------------------------------------------


def run_floors() -> tuple[dict[str, float], str]:
    """``shared/bench/floors.py`` in this process, its printed figures captured and parsed."""
    if not FLOORS.exists():
        return {}, f"(floors not run: {FLOORS} not found)"
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        runpy.run_path(str(FLOORS), run_name="__main__")
    text = captured.getvalue()
    patterns = {
        "insert": r"floor: sqlite executemany.*?: ([\d.]+) s",
        "build": r"floor: read back.*?: ([\d.]+) s",
        "propagation": r"floor: bare topological propagation pass: ([\d.]+) s",
    }
    figures = {
        key: float(found.group(1))
        for key, pattern in patterns.items()
        if (found := re.search(pattern, text))
    }
    return figures, text.strip()


# Report --------------------------------------------------------------------------------------


def seconds(value: float | None) -> str:
    return f"{value:.3f} s" if value is not None else "—"


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else "yes" if ok else "**no**"


def read_row(entry: Series) -> list[str]:
    first, p50, worst = entry.first, entry.p50(), entry.worst()
    failures = entry.failures
    target = f"p50 < {READ_P50_S} s, first < {READ_FIRST_S:g} s"
    if failures:
        met = f"**no** ({len(failures)} failed: {failures[0].outcome()})"
    elif first is None or p50 is None or worst is None:
        met = "—"
    else:
        met = verdict(p50 < READ_P50_S and first.seconds < READ_FIRST_S)
    cell = first.outcome() if first is not None else "—"
    return [entry.label, cell, seconds(p50), seconds(worst), target, met]


def once_row(label: str, call: Call | None, limit: float | None) -> list[str]:
    if call is None:
        return [label, "not run", "—", "—", "—", "—"]
    target = f"< {limit:g} s" if limit is not None else "—"
    met = verdict(call.seconds < limit) if call.ok and limit is not None else "—"
    if not call.ok:
        met = "**no** (failed)" if limit is not None else "failed"
    return [label, call.outcome(), "—", "—", target, met]


def markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def page_row(entry: Series) -> list[str]:
    """A dashboard page's row: the API row's cells, the response size, and every call held
    to 200 (a redirect to the sign-in form would be fast and wrong)."""
    label, first, p50, worst, target, met = read_row(entry)
    calls = [c for c in [entry.first, *entry.runs] if c is not None]
    wrong = [c for c in calls if c.status != 200]
    if wrong:
        met = f"**no** ({len(wrong)} not 200: {wrong[0].outcome()} {wrong[0].error[:60]})"
    sizes = sorted({f"{c.size / 1024:,.0f}" for c in calls if c.status == 200}, key=_kb)
    size = "—" if not sizes else f"{sizes[0]} KB"
    if len(sizes) > 1:
        size = f"{sizes[0]} to {sizes[-1]} KB"
    return [label, first, p50, worst, size, target, met]


def _kb(text: str) -> float:
    return float(text.replace(",", ""))


def report_pages(results: Results) -> None:
    """The dashboard table: the pages as a signed-in analyst sees them."""
    print("\n### Dashboard pages (signed in through the form, session cookie)\n")
    signed, targets, pages = results.sign_in, results.targets, results.pages
    if signed is None or targets is None:
        print("Not measured.")
        return
    if pages is None:
        print(f"Sign-in failed ({signed.outcome()}: {signed.error}); no page measured.")
        return
    print(
        f"- sign-in: `GET /login`, then `POST /login` (email, password, the form's CSRF "
        f"token) answered 303 in {signed.seconds:.3f} s (Argon2id check included)"
    )
    print(
        f"- corridor {targets.corridor} (the riskiest with both ends known in the corridors "
        f"read), supplier node {targets.supplier_id} (the first supplier of the nodes read), "
        f"search {targets.search!r}"
    )
    reviews = sorted(c.seconds for c in pages.changes if c.ok)
    if reviews:
        print(
            f"- first call = right after one more assessment was accepted over HTTP "
            f"({len(pages.changes)} reviews, {reviews[0]:.3f} to {reviews[-1]:.3f} s each); "
            "p50 and worst once the findings were current again"
        )
    if pages.settled:
        print(
            f"- findings current again {min(pages.settled):.2f} to {max(pages.settled):.2f} s "
            "after each review"
        )
    for path in pages.skipped:
        print(f"- `{path}` answered 404 (this server has no such page): skipped")
    graph = next((s for s in pages.series if s.label.startswith("graph.json")), None)
    body = graph.first.body if graph is not None and graph.first is not None else None
    if isinstance(body, dict) and "shown" in body:
        print(
            f"- graph.json for the corridor: {body['shown']:,} nodes shown of "
            f"{body['total']:,} in its scope ({body['left_out']:,} left out), "
            f"{len(body.get('edges') or []):,} edges"
        )
    print()
    header = ["page", "first call", "p50", "worst", "size", "target", "met?"]
    print(markdown(header, [page_row(entry) for entry in pages.series]))


def info_row(label: str, value: float | None) -> list[str]:
    """A figure worth seeing that has no target of its own."""
    return [label, seconds(value), "—", "—", "—", "—"]


def rss_row(label: str, value: float | None) -> list[str]:
    cell = f"{value:,.0f} MB" if value is not None else "unknown"
    met = verdict(value < RSS_LIMIT_MB) if value is not None else "—"
    return [label, cell, "—", "—", f"< {RSS_LIMIT_MB / 1024:g} GB", met]


# Main ----------------------------------------------------------------------------------------


@dataclass
class NetworkRun:
    """What one imported network yielded."""

    network_id: int
    imported: Call
    scores_after_import: Call
    import_settled_s: float | None
    bulk: BulkResult
    refresh: Call | None
    cold: list[Series]
    nodes: list[NodeRow]
    company: NodeRow


def load_network(
    api: Api,
    engine: Engine,
    name: str,
    who: Accounts,
    csv_pair: tuple[bytes, bytes],
    forms: dict[str, Form],
    sets: dict[str, list[AnswerSet]],
) -> NetworkRun:
    """Import, read the scores at once, bulk-write the assessments, refresh the findings as
    the domain would after them, and read every endpoint once."""
    progress(f"importing {name!r} over HTTP (POST /networks/{{id}}/import)")
    network_id, imported = create_and_import(api, name, who.buyer_id, *csv_pair)
    imported_at = time.perf_counter()
    progress(f"imported in {imported.seconds:.2f} s: {import_summary(imported)}")
    progress("scores right after the import (graph build and full scoring, no assessments)")
    scores_after_import = api.get(f"/api/v1/networks/{network_id}/scores", PAGE)
    settled = settle(api, network_id, imported_at)
    nodes = network_nodes(engine, network_id)
    company = next(n for n in nodes if n.kind == "company")
    progress("bulk-writing assessments into the assessment table (not through HTTP)")
    bulk = bulk_assessments(engine, network_id, nodes, forms, sets, who.user_id)
    progress(f"{sum(bulk.statuses.values()):,} assessments written in {bulk.seconds:.2f} s")
    progress("refreshing the findings after the bulk write (POST /findings/refresh)")
    refresh = refresh_findings(api, network_id)
    cold = cold_round(api, endpoints(network_id, company.id))
    return NetworkRun(
        network_id, imported, scores_after_import, settled, bulk, refresh, cold, nodes, company
    )


def import_summary(call: Call) -> str:
    body = call.body if isinstance(call.body, dict) else {}
    parts = [
        f"{what} {', '.join(f'{k} {v:,}' for k, v in counts.items() if v)}"
        for what in ("nodes", "edges")
        if isinstance(counts := body.get(what), dict)
    ]
    return "; ".join(parts) + f" (version {body.get('network_version')})" if parts else shape(call)


@dataclass
class Results:
    first: NetworkRun
    plan_built: Call
    rescore: Rescore
    warm: Round
    edit: NodeEdit
    rss_first: float | None
    second: NetworkRun | None = None
    second_reads: list[Series] = field(default_factory=list)
    rss_second: float | None = None
    server_problems: list[str] = field(default_factory=list)
    sign_in: Call | None = None
    targets: PageTargets | None = None
    pages: Round | None = None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=150_000)
    parser.add_argument(
        "--database-url",
        help="default: a fresh SQLite file in a temporary directory; a PostgreSQL URL names "
        f"the server, on which the database {BENCH_DATABASE!r} is dropped and recreated",
    )
    parser.add_argument("--calls", type=int, default=5, help="calls per endpoint after the first")
    parser.add_argument(
        "--second-network",
        action="store_true",
        help="import the network again as a second network and report peak RSS with both",
    )
    parser.add_argument("--skip-floors", action="store_true", help="do not run floors.py")
    args = parser.parse_args()
    if args.calls < 1:
        parser.error("--calls must be at least 1")

    workdir = Path(tempfile.mkdtemp(prefix="fairpath-api-bench-"))
    succeeded = False
    try:
        run(args, workdir)
        succeeded = True
    except KeyboardInterrupt:
        progress("interrupted")
        raise SystemExit(130) from None
    finally:
        if succeeded:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            progress(f"kept {workdir} (server.log) for inspection")


def run(args: argparse.Namespace, workdir: Path) -> None:
    progress("preparing the database")
    url = prepare_database(args.database_url, workdir)
    engine = make_engine(url)
    upgrade(engine)  # what `fairpath db upgrade` runs
    who = create_accounts(engine)
    progress(f"generating the synthetic network ({args.nodes:,} nodes, {args.edges:,} edges)")
    synthetic = generate(args.nodes, args.edges, SEED)
    csv_pair = synthetic.csv_pair()
    del synthetic
    csv_mb = sum(len(part) for part in csv_pair) / 1e6

    with running_server(url, workdir) as server:
        api = Api(server.base_url, who.token)
        try:
            forms = library_forms(engine)
            sets = stored_sets(forms)
            results = measure(api, engine, server, who, csv_pair, forms, sets, args)
        finally:
            api.close()
    engine.dispose()

    floors: dict[str, float] = {}
    floors_text = "(floors skipped: --skip-floors)"
    if not args.skip_floors:
        progress(f"running the floors ({FLOORS})")
        floors, floors_text = run_floors()
    report(args, url, csv_mb, forms, results, floors, floors_text)


def measure(
    api: Api,
    engine: Engine,
    server: Server,
    who: Accounts,
    csv_pair: tuple[bytes, bytes],
    forms: dict[str, Form],
    sets: dict[str, list[AnswerSet]],
    args: argparse.Namespace,
) -> Results:
    """Every measurement against the running server, in the order the module docstring says."""
    first = load_network(api, engine, "Bench network", who, csv_pair, forms, sets)
    progress("building the remediation plan (POST /plan)")
    plan_built = api.post(f"/api/v1/networks/{first.network_id}/plan", params=PAGE)
    settle(api, first.network_id, time.perf_counter())

    progress("one assessment through the real review path over HTTP")
    target = next(
        (
            n
            for n in first.nodes
            if n.role == "origin_agency" and n.id not in first.bulk.assessed_nodes
        ),
        next(n for n in first.nodes if n.kind == "recruiter"),
    )
    critical = next(s for s in sets["recruiter"] if s.label.startswith("critical"))
    rescore = measure_rescore(api, first.network_id, target, first.nodes, critical.answers)

    pending = list(first.bulk.submitted_ids)
    reads = endpoints(first.network_id, first.company.id)
    change = reviewer(api, first.network_id, pending)
    warm = read_round(api, first.network_id, reads, args.calls, change)
    sign_in, targets, pages = measure_pages(api, engine, server, who, first, change, args.calls)
    progress("editing one node (network version bump), then reading the scores")
    supplier = next(n for n in first.nodes if n.kind == "supplier")
    edit = edit_node(api, first.network_id, supplier)
    results = Results(first, plan_built, rescore, warm, edit, server.peak_rss_mb())
    results.sign_in, results.targets, results.pages = sign_in, targets, pages

    if args.second_network:
        second = load_network(api, engine, "Bench network 2", who, csv_pair, forms, sets)
        reads2 = endpoints(second.network_id, second.company.id)
        results.second = second
        results.second_reads = read_round(api, second.network_id, reads2, args.calls, None).series
        progress("reading the first network's scores again (both networks cached)")
        again = api.get(f"/api/v1/networks/{first.network_id}/scores", PAGE)
        results.second_reads.append(Series("scores of the first network again", first=again))
        results.rss_second = server.peak_rss_mb()
    results.server_problems = server.problems()
    return results


def measure_pages(
    api: Api,
    engine: Engine,
    server: Server,
    who: Accounts,
    run: NetworkRun,
    change: Callable[[], Call | None],
    calls: int,
) -> tuple[Call, PageTargets, Round | None]:
    """Sign in through the dashboard's form as the benchmark's user, then read each page as
    the API reads were read: a change, the first view right after it, ``calls`` more."""
    progress("dashboard: giving the benchmark's user a password and signing in (POST /login)")
    email, password = give_password(engine, who.user_id)
    browser = Browser(server.base_url)
    try:
        signed = browser.sign_in(email, password)
        targets = page_targets(run)
        if signed.status != 303:
            progress(f"dashboard sign-in failed: {signed.outcome()} {signed.error}")
            return signed, targets, None
        pages = dashboard_pages(run.network_id, targets)
        return signed, targets, read_round(api, run.network_id, pages, calls, change, browser)
    finally:
        browser.close()


def report(
    args: argparse.Namespace,
    url: str,
    csv_mb: float,
    forms: dict[str, Form],
    results: Results,
    floors: dict[str, float],
    floors_text: str,
) -> None:
    """Everything on stdout as Markdown, so a run can be pasted into benchmarks/README.md."""
    first, rescore, warm = results.first, results.rescore, results.warm
    bulk = first.bulk
    where = make_url(url).render_as_string(hide_password=True)
    print(f"## API benchmark: {args.nodes:,} nodes, {args.edges:,} edges\n")
    print(f"- database: {where}; server: `fairpath serve` on 127.0.0.1, one worker")
    print(f"- CSV upload: {csv_mb:.1f} MB; import: {import_summary(first.imported)}")
    print(
        f"- assessments **bulk-written** straight into the assessment table (not through "
        f"HTTP; no invitations or audit events): {sum(bulk.statuses.values()):,} "
        f"({bulk.statuses['accepted']:,} accepted, {bulk.statuses['submitted']:,} submitted, "
        f"{bulk.stale:,} older than {MAX_AGE_FOR_SCORING} days) on "
        f"{', '.join(f.label for f in forms.values())}, in {bulk.seconds:.2f} s; then "
        + (
            "`POST /findings/refresh`, as the server would after such writes"
            if first.refresh is not None
            else "no findings refresh (the API has no refresh endpoint)"
        )
    )
    print(f"- calls per endpoint after the first: {args.calls}; page size {PAGE['limit']}")
    review_times = sorted(c.seconds for c in warm.changes if c.ok)
    failed_reviews = len(warm.changes) - len(review_times)
    reviews = f"{len(warm.changes)} such reviews"
    if review_times:
        reviews += f", each review call {review_times[0]:.3f} to {review_times[-1]:.3f} s"
    if failed_reviews:
        reviews += f", {failed_reviews} failed"
    print(
        f"- first call = the first call right after one assessment was accepted over HTTP "
        f"({reviews}); p50 and worst = the {args.calls} calls after it, once the server's "
        "background findings refresh had finished"
    )
    if warm.settled:
        print(
            f"- after each of those reviews the findings were current again "
            f"{min(warm.settled):.2f} to {max(warm.settled):.2f} s after the review was sent"
        )
    print()

    import_call = first.imported
    default_size = args.nodes == FLOOR_NODES and args.edges == FLOOR_EDGES
    import_floor = floors.get("insert") if default_size else None
    ratio = import_call.seconds / import_floor if import_floor else None
    import_target = f"< {IMPORT_S:g} s and <= {IMPORT_FLOOR_RATIO:g}x raw-insert floor"
    unjudged = " (floor not run)" if not floors else " (floor is for 100k nodes: not compared)"
    if not import_call.ok:
        import_met = "**no** (failed)"
    elif ratio is None:
        import_met = verdict(import_call.seconds < IMPORT_S) + unjudged
    else:
        import_met = verdict(import_call.seconds < IMPORT_S and ratio <= IMPORT_FLOOR_RATIO)
        import_met += f" ({ratio:.1f}x)"
    rows: list[list[str]] = [
        [
            "import (POST /networks/{id}/import, CSV pair)",
            import_call.outcome(),
            *("—", "—", import_target, import_met),
        ],
        once_row(
            "scores right after the import (graph build + full scoring, no assessments yet)",
            first.scores_after_import,
            None,
        ),
        once_row(
            "findings refresh after the bulk write (POST /findings/refresh)", first.refresh, None
        ),
        once_row("review: accept one assessment (POST .../review), the call", rescore.review, None),
    ]
    readable = rescore.readable_s
    rows.append(
        [
            "re-score until readable (review sent → GET /scores shows it)",
            seconds(readable) if readable is not None else f"not reached ({rescore.note})",
            "—",
            "—",
            f"< {RESCORE_S:g} s",
            verdict(readable < RESCORE_S) if readable is not None else "**no**",
        ]
    )
    rows.append(
        info_row("findings current after that review (background refresh)", rescore.findings_s)
    )
    rows += [read_row(entry) for entry in warm.series]
    rows.append(once_row("plan build (POST /plan), once", results.plan_built, None))
    edit = results.edit
    rows.append(
        once_row("scores right after a node edit (version bump: full re-scoring)", edit.scores, 1)
    )
    rows.append(info_row("findings current after that edit (background refresh)", edit.findings_s))
    rows.append(rss_row("server peak RSS (VmHWM) after the reads", results.rss_first))
    second = results.second
    if second is not None:
        ratio2 = second.imported.seconds / import_floor if import_floor else None
        met2 = verdict(
            second.imported.ok
            and second.imported.seconds < IMPORT_S
            and (ratio2 is None or ratio2 <= IMPORT_FLOOR_RATIO)
        )
        met2 += unjudged if ratio2 is None else f" ({ratio2:.1f}x)"
        rows.append(
            ["second network: import", second.imported.outcome(), "—", "—", import_target, met2]
        )
        rows.append(
            rss_row("server peak RSS (VmHWM) with both networks loaded", results.rss_second)
        )
    print(markdown(["endpoint", "first call", "p50", "worst", "target", "met?"], rows))
    if results.server_problems:
        shown = "\n".join(results.server_problems[:8])
        print(f"\nServer log: {len(results.server_problems)} warning/error lines, first ones:")
        print(f"```\n{shown}\n```")
    else:
        print("\nServer log: no warnings, errors or tracebacks.")

    print("\n### The review path, step by step (one recruiter, critical red flag)\n")
    steps = [[label, call.outcome(), shape(call)] for label, call in rescore.steps]
    if rescore.review is not None:
        steps.append(["accept (POST .../review)", rescore.review.outcome(), shape(rescore.review)])
    print(markdown(["step", "time", "response"], steps))
    print(
        f"\nGET /scores polls until the acceptance showed: {rescore.polls}. {rescore.note}".rstrip()
    )
    print(f"Node edit (PATCH): {edit.edited.outcome()}.")

    print("\n### First reads after the import, the bulk write and the findings refresh\n")
    cold = [[s.label, s.first.outcome(), shape(s.first)] for s in first.cold if s.first]
    print(markdown(["endpoint", "time", "response"], cold))

    print("\n### Response shapes (first call after a review)\n")
    shapes = [[s.label, shape(s.first)] for s in warm.series]
    print(markdown(["endpoint", "response"], shapes))

    report_pages(results)

    if second is not None:
        print("\n### Second network (same files): first reads, then repeated reads\n")
        cold2 = {s.label: s.first for s in second.cold if s.first is not None}
        rows2 = [
            [
                entry.label,
                cold2[entry.label].outcome() if entry.label in cold2 else "—",
                entry.first.outcome() if entry.first else "—",
                seconds(entry.p50()),
                seconds(entry.worst()),
            ]
            for entry in results.second_reads
        ]
        print(markdown(["endpoint", "first read", "next call", "p50", "worst"], rows2))

    print("\n### Floors (shared/bench/floors.py, run in this process after the server stopped)\n")
    print("```\n" + floors_text + "\n```")
    if floors:
        if import_floor:
            print(
                f"\n- import / raw-insert floor: {import_call.seconds:.2f} s / "
                f"{floors['insert']:.2f} s = **{ratio:.1f}x** (target <= {IMPORT_FLOOR_RATIO:g}x)"
            )
        propagation = floors.get("propagation")
        for label, call in (
            ("scores right after the import", first.scores_after_import),
            ("scores right after a node edit", edit.scores),
        ):
            if propagation and call.ok:
                print(
                    f"- {label} / bare-propagation floor: {call.seconds:.2f} s / "
                    f"{propagation:.2f} s = {call.seconds / propagation:.1f}x"
                )
        print(
            "- those scores calls include the graph build, loading the assessments and the "
            "page, and may overlap the server's background findings refresh: upper bounds on "
            "full scoring"
        )
        if not default_size:
            print(
                "- the floors are for 100,000 nodes and 150,000 edges whatever --nodes and "
                "--edges say: the ratios mean something only at the default size"
            )


if __name__ == "__main__":
    main()
