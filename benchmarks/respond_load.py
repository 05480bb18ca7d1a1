"""Benchmark: respondent answer saves under a fixed request rate, over HTTP, on loopback.

    python benchmarks/respond_load.py [--backend sqlite|postgresql|both]
        [--database-url URL] [--rates 50,100,200] [--seconds 30] [--quick]
        [--timeout 10] [--recover 20] [--deadline 720] [--full-view] [--json]
        [--skip-floors]

For each backend (both by default: SQLite in a temporary directory, then PostgreSQL on
127.0.0.1:5432 as user ``postgres``) the script

1. creates a fresh database (for PostgreSQL it drops and recreates the dedicated database
   ``fairpath_respond_load`` and touches no other), migrates it (``api.migrate.upgrade``, what
   ``fairpath db upgrade`` runs), and creates a company organisation with an analyst token;
2. starts ``fairpath serve`` on a free 127.0.0.1 port in its own process group, waits for
   ``/healthz``, and, over the API as the analyst, creates a network with 20 recruiters and
   assigns each the library recruiter questionnaire: 20 assessments, 20 invitation tokens;
3. with each token saves the gate answers (licensed, fees paid, sub-agents, a grievance
   mechanism) so that the nine questions the load writes are visible (``prune_hidden`` would
   drop them otherwise): six number questions, one year, one text and one date question;
4. per rate (``--rates``), for ``--seconds``: an open-loop generator sends ``rate`` saves a
   second at fixed times whatever the responses, each ``PUT /api/v1/respond/answers`` with ONE
   answer carrying a value never sent before to that (invitation, question) "slot", sent as an
   autosaving client sends it, with ``Prefer: return=minimal`` (the stored answers and progress
   come back; ``--full-view`` asks for the whole respondent view, questionnaire included,
   about 35 KB per save). Requests
   go round the 20 invitations and, per invitation, round its nine questions, so saves in
   flight together on one assessment target different questions (the read-merge-write case),
   and at most one save per slot is in flight (a slot is busy until its response or its
   client timeout; when every slot of every invitation is busy a save is skipped, and
   counted). Each request has a ``--timeout`` (10 s): a timeout counts as an error.
   Meanwhile ``/healthz`` is polled every 0.5 s with its own client (2 s timeout): misses;
5. after each rate: waits for the last responses and up to ``--recover`` (20 s) for
   ``/healthz``; a server still not answering is killed (its process group) and a new one
   started on the same database (so the next rate does not inherit the backlog, and the
   read-back sees committed state only); then reads every assessment back
   (``GET /api/v1/respond/assessment``, all at once, retried for up to 40 s) and counts the
   answers lost (below). Meanwhile it samples, once a second, the server's threads and CPU
   time and, on PostgreSQL, ``pg_stat_activity`` (connections by state and wait event);
6. stops the server (SIGTERM, then SIGKILL to its process group), runs
   ``shared/bench/floors.py`` in this process, and prints a Markdown table and, with
   ``--json``, one JSON line per backend and rate.

Lost answers. Per slot the script keeps every save in send order with its outcome: acknowledged
(2xx: the request's transaction committed before the response was sent), refused (an HTTP
error status: it rolled back), or unknown (timeout or broken connection: it may have committed,
even after later saves). For every slot with an acknowledged save, the last acknowledged one
(no later acknowledged save targeted the slot) is checked against the answers read back: it is
*lost* when the value there is neither its value nor the value of one of the slot's unknown
saves. That is an answer the server acknowledged and no longer holds (typically another
question's save of the same assessment read the answers document before this one committed and
wrote it back without it). So at most one save per slot (9 x 20 = 180) is checked per rate;
the table shows "lost / checked".
Independently, every acknowledged response carries the answers document that request wrote:
a "stale write-back" is a response whose document shows, for another question of the
assessment, an older value than a save acknowledged before this request was sent (the moment
an acknowledged answer was overwritten; the end check then decides whether it stayed lost).

Bounded: a global ``--deadline`` (default 720 s) stops everything (the server's whole process
group is killed, also on Ctrl-C or an error); the default run took 8 to 9 minutes on a busy
2-core machine (servers that get stuck are restarted, which costs about 30 s each).
Progress goes to stderr, tables to stdout. Run from the project root with the project
installed; also runs as ``python -m benchmarks.respond_load``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

if __package__ in (None, ""):  # run as a file: make the project root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import httpx
from sqlalchemy.engine import make_url
from sqlmodel import Session

from api.accounts.models import Role
from api.db import make_engine
from api.migrate import upgrade
from benchmarks.accounts import user_with_token
from benchmarks.api_client import Api, items_of
from benchmarks.api_network import FLOORS, run_floors
from core.organisations.models import OrganisationKind

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "fairpath_respond_load"  # the only PostgreSQL database this script drops
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/" + BENCH_DATABASE
INVITATIONS = 20
# Visible once the gates below are answered; each can carry a value not sent before.
GATES = {"LIC_01": "yes", "FEE_02": "yes", "SUB_01": "yes", "GRV_01": "full"}
NUMBERS = ("LIC_06", "FEE_04", "FEE_06", "FEE_07", "SUB_02", "GRV_02")
YEAR, TEXT, DAY = "FEE_05A", "LIC_02", "LIC_03"  # 2000..2100, text (200), date
QUESTIONS = (*NUMBERS, YEAR, TEXT, DAY)
TARGET_P99_S = 0.100
TARGET_RATE = {"sqlite": 100, "postgresql": 200}  # the rate the p99 target applies to
HEALTH_EVERY_S, HEALTH_TIMEOUT_S = 0.5, 2.0
READBACK_TIMEOUT_S = 20.0
READBACK_BUDGET_S = 40.0  # per rate, all assessments at once, retried
START_WAIT_S = 60.0

# Log levels, and the last line of a traceback ("sqlalchemy.exc.TimeoutError: ...").
PROBLEM = re.compile(r"^(WARNING|ERROR|CRITICAL)|^[\w.]*(Error|Exception): ")

_STARTED = time.perf_counter()
T = TypeVar("T")


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


class Deadline(Exception):
    """The run's overall deadline passed."""


# Database ------------------------------------------------------------------------------------


def fresh_database(backend: str, option: str | None, workdir: Path) -> str:
    """A URL to an empty database: a new SQLite file, or the dedicated PostgreSQL database
    dropped and recreated (never any other)."""
    if backend == "sqlite":
        if option:
            path = Path(make_url(option).database or "")
            if not make_url(option).database or path.exists():
                raise SystemExit(f"{option}: name a new SQLite file (it must not exist)")
            return option
        return f"sqlite:///{workdir / 'respond_load.db'}"
    import psycopg
    from psycopg import sql

    url = make_url(option or DEFAULT_POSTGRES).set(drivername="postgresql+psycopg")
    if url.host not in (None, "127.0.0.1", "localhost", "::1"):
        raise SystemExit("loopback only: the PostgreSQL server must be on 127.0.0.1")
    if url.database and url.database != BENCH_DATABASE:
        progress(
            f"PostgreSQL: using the dedicated database {BENCH_DATABASE!r}, not {url.database!r}"
        )
    connect: dict[str, Any] = {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username or "postgres",
        "password": url.password,
        "dbname": "postgres",  # maintenance database: the benchmark one is dropped from here
    }
    with psycopg.connect(
        **{k: v for k, v in connect.items() if v is not None}, autocommit=True
    ) as connection:
        name = sql.Identifier(BENCH_DATABASE)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))
    return url.set(database=BENCH_DATABASE).render_as_string(hide_password=False)


def create_analyst(database_url: str) -> str:
    """Migrate, then a company organisation and an analyst with an API token: its secret."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)  # what `fairpath db upgrade` runs
        with Session(engine, expire_on_commit=False) as session:
            analyst = user_with_token(
                session,
                organisation="Load Buyer",
                kind=OrganisationKind.company,
                email="load-analyst@fairpath.example",
                name="Load benchmark",
                role=Role.analyst,
            )
            session.commit()
            return analyst.token
    finally:
        engine.dispose()


# Server --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``fairpath serve`` on 127.0.0.1 in its own session (process group): Ctrl-C reaches only
    this script, and stopping kills the whole group, however stuck the server is."""

    def __init__(self, database_url: str, workdir: Path, number: int = 1) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"server-{number}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,  # in the environment, not where `ps` shows it
            "FAIRPATH_DATA_DIR": str(workdir / "data"),
            "FAIRPATH_LOG_LEVEL": "WARNING",
        }
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

    def wait_healthy(self, seconds: float) -> float | None:
        """Seconds until ``/healthz`` answered 200, or None if it did not within ``seconds``."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2.0).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        return None

    def log(self, lines: int = 40) -> str:
        if not self._log.closed:
            self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def problems(self) -> Counter[str]:
        """Warning and error lines of the server log (access lines left out), counted by text
        with numbers blanked, so a thousand timeouts read as one line."""
        if not self._log.closed:
            self._log.flush()
        counted: Counter[str] = Counter()
        for line in self.log_path.read_text(errors="replace").splitlines():
            if PROBLEM.search(line) and "FAIRPATH_SECRET_KEY" not in line:
                counted["".join("#" if c.isdigit() else c for c in line)[:200]] += 1
        return counted

    def stop(self) -> None:
        """SIGTERM to the group, SIGKILL after 5 s; never raises."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                progress("the server ignored SIGTERM for 5 s: killing its process group")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # anything left in the group
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self._log.close()


_SERVERS: list[Server] = []  # what the deadline watchdog kills


def start_server(database_url: str, workdir: Path, number: int) -> Server:
    server = Server(database_url, workdir, number)
    _SERVERS.append(server)
    if server.wait_healthy(START_WAIT_S) is None:
        stop_server(server)
        raise SystemExit(f"the server did not answer /healthz in {START_WAIT_S:.0f} s")
    progress(f"server up at {server.base_url} (pid {server.process.pid})")
    return server


def stop_server(server: Server) -> Counter[str]:
    """Stop it and return its log's problems."""
    progress(f"stopping the server (pid {server.process.pid})")
    server.stop()
    if server in _SERVERS:
        _SERVERS.remove(server)
    return server.problems()


# Fixtures through the API --------------------------------------------------------------------


def build_invitations(api: Api) -> list[str]:
    """A network of a company, a factory and 20 destination agencies; one assessment (the
    default library recruiter questionnaire) per agency; their invitation tokens."""
    nodes: list[dict[str, Any]] = [
        {"id": "CO", "kind": "company", "name": "Brand", "country": "GB"},
        {"id": "S1", "kind": "supplier", "name": "Factory", "country": "TH", "tier": 1},
    ]
    edges: list[dict[str, Any]] = [{"source": "S1", "target": "CO", "kind": "supplies"}]
    for i in range(INVITATIONS):
        nodes.append(
            {
                "id": f"R{i:02d}",
                "kind": "recruiter",
                "name": f"Agency {i:02d}",
                "country": "TH",
                "role": "destination_agency",
            }
        )
        edges.append(
            {
                "source": f"R{i:02d}",
                "target": "S1",
                "kind": "recruits_for",
                "origin": "MM",
                "destination": "TH",
                "workers": 10,
            }
        )
    created = api.post("/api/v1/networks", json={"name": "Respondent load"})
    if not created.ok:
        raise SystemExit(f"creating the network failed: {created.outcome()} {created.error}")
    network_id = created.body["id"]
    imported = api.post(
        f"/api/v1/networks/{network_id}/import", json={"nodes": nodes, "edges": edges}
    )
    if not imported.ok:
        raise SystemExit(f"importing the network failed: {imported.outcome()} {imported.error}")
    listed = api.get(f"/api/v1/networks/{network_id}/nodes", {"limit": 500})
    ids = {n["external_id"]: n["id"] for n in items_of(listed.body)}
    tokens = []
    for i in range(INVITATIONS):
        assigned = api.post(
            f"/api/v1/networks/{network_id}/assessments", json={"node_id": ids[f"R{i:02d}"]}
        )
        if not assigned.ok:
            raise SystemExit(f"assigning failed: {assigned.outcome()} {assigned.error}")
        tokens.append(assigned.body["invitation"]["token"])
    return tokens


def open_gates(base_url: str, tokens: list[str]) -> str:
    """Save the gate answers on every assessment (one save each, one after the other); the
    questionnaire key and version the assessments use."""
    label = ""
    for token in tokens:
        respondent = Api(base_url, token, timeout=60.0)
        try:
            saved = respondent.put("/api/v1/respond/answers", json={"answers": GATES})
            if not saved.ok:
                raise SystemExit(f"saving the gate answers failed: {saved.outcome()} {saved.error}")
            probe = {q: value_for(q, 0) for q in QUESTIONS}
            check = respondent.put("/api/v1/respond/answers", json={"answers": probe})
            if not check.ok:
                raise SystemExit(f"the load's answers do not validate: {check.error}")
            kept = check.body.get("answers", {})
            missing = [q for q in QUESTIONS if kept.get(q) != probe[q]]
            if missing:
                raise SystemExit(f"questions {missing} were not kept (hidden?): {kept}")
            questionnaire = check.body.get("questionnaire") or {}
            label = f"{questionnaire.get('id', '?')} v{questionnaire.get('version', '?')}"
        finally:
            respondent.close()
    return label


def value_for(question: str, seq: int) -> Any:
    """A value for ``question`` that identifies save number ``seq`` (unique per slot)."""
    if question == YEAR:
        return 2000 + seq % 101
    if question == TEXT:
        return f"LIC-{seq}"
    if question == DAY:
        return (date(2030, 1, 1) + timedelta(days=seq % 20000)).isoformat()
    return seq


# Load ----------------------------------------------------------------------------------------


@dataclass
class Save:
    seq: int
    invitation: int
    question: str
    value: Any
    scheduled: float  # loop time the save was due
    sent_after: float = 0.0  # loop time it actually went out
    done: float = 0.0
    status: int | None = None
    error: str = ""
    answers: dict[str, Any] | None = None  # the document an acknowledged save wrote

    @property
    def acked(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def unknown(self) -> bool:  # no status: it may have committed, or may still
        return self.status is None

    @property
    def latency(self) -> float:  # from when it was due: client lag counts, as it would
        return self.done - self.scheduled


@dataclass
class RateResult:
    backend: str
    rate: int
    seconds: float
    scheduled: int = 0
    skipped: int = 0
    saves: list[Save] = field(default_factory=list)
    health_polls: int = 0
    health_misses: int = 0
    health_worst_s: float = 0.0
    max_lag_s: float = 0.0
    checked: int = 0
    lost: int | None = None
    lost_examples: list[str] = field(default_factory=list)
    stale_writebacks: int = 0
    readback_failures: int = 0
    activity_peak: dict[str, int] = field(default_factory=dict)
    server_cpu_s: float = 0.0
    drained_s: float | None = None  # load end -> /healthz answering again
    restarted: bool = False  # the server was killed after this rate (read back from a new one)

    @property
    def sent(self) -> int:
        return len(self.saves)

    @property
    def acked(self) -> int:
        return sum(s.acked for s in self.saves)

    def errors(self) -> Counter[str]:
        counted: Counter[str] = Counter()
        for save in self.saves:
            if not save.acked:
                counted[str(save.status) if save.status is not None else save.error] += 1
        return counted

    def quantile(self, q: float) -> float | None:
        times = sorted(s.latency for s in self.saves if s.acked)
        if not times:
            return None
        return times[min(len(times) - 1, int(q * len(times)))]

    def worst(self) -> float | None:
        times = [s.latency for s in self.saves if s.acked]
        return max(times) if times else None

    def as_json(self) -> dict[str, Any]:
        p50, p99 = self.quantile(0.5), self.quantile(0.99)
        return {
            "backend": self.backend,
            "rate": self.rate,
            "seconds": self.seconds,
            "scheduled": self.scheduled,
            "skipped_all_slots_busy": self.skipped,
            "sent": self.sent,
            "acknowledged": self.acked,
            "errors": dict(self.errors()),
            "p50_ms": round(p50 * 1000, 1) if p50 is not None else None,
            "p99_ms": round(p99 * 1000, 1) if p99 is not None else None,
            "max_ms": round(w * 1000, 1) if (w := self.worst()) is not None else None,
            "lost": self.lost,
            "checked": self.checked,
            "stale_writebacks": self.stale_writebacks,
            "readback_failures": self.readback_failures,
            "healthz_polls": self.health_polls,
            "healthz_misses": self.health_misses,
            "healthz_worst_ms": round(self.health_worst_s * 1000, 1),
            "client_max_lag_ms": round(self.max_lag_s * 1000, 1),
            "server_restarted_after": self.restarted,
            "healthz_back_after_s": None if self.drained_s is None else round(self.drained_s, 1),
            "server_cpu_s": round(self.server_cpu_s, 2),
            "server_cpu_ms_per_sent": round(1000 * self.server_cpu_s / self.sent, 1)
            if self.sent
            else None,
            "peaks": self.activity_peak or None,
        }


class Slots:
    """Which (invitation, question) slots have a save in flight; round-robin choice."""

    def __init__(self) -> None:
        self.busy: set[tuple[int, str]] = set()
        self.cursor = [0] * INVITATIONS

    def take(self, preferred: int) -> tuple[int, str] | None:
        for step in range(INVITATIONS):
            invitation = (preferred + step) % INVITATIONS
            for turn in range(len(QUESTIONS)):
                index = (self.cursor[invitation] + turn) % len(QUESTIONS)
                slot = (invitation, QUESTIONS[index])
                if slot not in self.busy:
                    self.cursor[invitation] = index + 1
                    self.busy.add(slot)
                    return slot
        return None

    def release(self, slot: tuple[int, str]) -> None:
        self.busy.discard(slot)


def run_async(work: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on uvloop where it is installed (it is a server dependency): the load
    generator shares the machine with the server, so its CPU per request matters."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(work)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(work)


async def run_rate(
    base_url: str,
    tokens: list[str],
    result: RateResult,
    first_seq: int,
    timeout: float,
    stop_at: float,
    full_view: bool = False,
) -> int:
    """Send ``rate`` saves a second for ``seconds``, poll /healthz, wait for the last
    responses. Returns the next unused sequence number."""
    rate, count = result.rate, int(result.rate * result.seconds)
    # aiohttp, not httpx, for the saves: at 200/s httpx's async client spent 0.8 of this
    # machine's two cores, starving the server it measures.
    client = aiohttp.ClientSession(
        base_url,
        connector=aiohttp.TCPConnector(limit=INVITATIONS * len(QUESTIONS) + 10),
        timeout=aiohttp.ClientTimeout(total=timeout),
    )
    health = httpx.AsyncClient(base_url=base_url, timeout=HEALTH_TIMEOUT_S)
    loop = asyncio.get_running_loop()
    slots = Slots()
    seq = first_seq
    tasks: set[asyncio.Task[None]] = set()
    headers = {} if full_view else {"Prefer": "return=minimal"}

    async def send(save: Save) -> None:
        save.sent_after = loop.time()
        try:
            async with client.put(
                "/api/v1/respond/answers",
                json={"answers": {save.question: save.value}},
                headers={"Authorization": f"Bearer {tokens[save.invitation]}", **headers},
            ) as response:
                body = await response.read()
                save.status = response.status
            if save.acked:
                with contextlib.suppress(ValueError):
                    save.answers = json.loads(body).get("answers")
        except TimeoutError:  # the whole request's (ClientTimeout.total)
            save.error = "timeout"
        except aiohttp.ClientError as exc:
            save.error = type(exc).__name__
        finally:
            save.done = loop.time()
            slots.release((save.invitation, save.question))

    async def poll_health(until: float) -> None:
        polls: set[asyncio.Task[None]] = set()

        async def one() -> None:
            started = loop.time()
            try:
                async with asyncio.timeout(HEALTH_TIMEOUT_S):
                    ok = (await health.get("/healthz")).status_code == 200
            except (httpx.HTTPError, TimeoutError):
                ok = False
            took = loop.time() - started
            result.health_polls += 1
            result.health_misses += not ok
            result.health_worst_s = max(result.health_worst_s, took)

        tick = loop.time()
        while tick < until:
            task = asyncio.create_task(one())
            polls.add(task)
            task.add_done_callback(polls.discard)
            tick += HEALTH_EVERY_S
            await asyncio.sleep(max(0.0, tick - loop.time()))
        if polls:
            await asyncio.gather(*polls)

    start = loop.time() + 0.2
    poller = asyncio.create_task(poll_health(start + result.seconds))
    try:
        for i in range(count):
            due = start + i / rate
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                result.max_lag_s = max(result.max_lag_s, -delay)
            if time.monotonic() > stop_at:
                raise Deadline
            result.scheduled += 1
            slot = slots.take(i % INVITATIONS)
            if slot is None:
                result.skipped += 1
                continue
            save = Save(seq, slot[0], slot[1], value_for(slot[1], seq), due)
            seq += 1
            result.saves.append(save)
            task = asyncio.create_task(send(save))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:  # each ends by its own timeout at the latest
            await asyncio.wait(set(tasks), timeout=timeout + 5)
        await poller
    finally:
        for task in [*tasks, poller]:
            task.cancel()
        await client.close()
        await health.aclose()
    return seq


async def read_back_async(
    base_url: str, tokens: list[str], budget: float
) -> list[dict[str, Any] | None]:
    """Every assessment's answers, all at once, retried until ``budget`` seconds are spent."""
    documents: list[dict[str, Any] | None] = [None] * len(tokens)
    loop = asyncio.get_running_loop()
    until = loop.time() + budget
    async with httpx.AsyncClient(base_url=base_url) as client:

        async def one(index: int) -> None:
            while documents[index] is None and loop.time() < until:
                try:
                    response = await client.get(
                        "/api/v1/respond/assessment",
                        headers={"Authorization": f"Bearer {tokens[index]}"},
                        timeout=max(1.0, min(READBACK_TIMEOUT_S, until - loop.time())),
                    )
                    if response.status_code == 200:
                        documents[index] = response.json().get("answers", {})
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.5)

        await asyncio.gather(*(one(i) for i in range(len(tokens))))
    return documents


def read_back(base_url: str, tokens: list[str], budget: float) -> list[dict[str, Any] | None]:
    return run_async(read_back_async(base_url, tokens, budget))


def count_lost(result: RateResult, documents: list[dict[str, Any] | None]) -> None:
    """The end check and the stale write-backs of the module docstring."""
    by_slot: dict[tuple[int, str], list[Save]] = {}
    for save in result.saves:  # in send order
        by_slot.setdefault((save.invitation, save.question), []).append(save)
    result.readback_failures = sum(d is None for d in documents)
    lost = checked = 0
    for (invitation, question), saves in by_slot.items():
        document = documents[invitation]
        acked = [s for s in saves if s.acked]
        if document is None or not acked:
            continue
        last = acked[-1]  # no later acknowledged save targeted this slot
        # A save without a response (timeout) may have committed before or after it.
        allowed = [last.value] + [s.value for s in saves if s.unknown]
        checked += 1
        if document.get(question) not in allowed:
            lost += 1
            if len(result.lost_examples) < 5:
                result.lost_examples.append(
                    f"invitation {invitation} {question}: acknowledged {last.value!r}, "
                    f"read back {document.get(question)!r}"
                )
    result.checked = checked
    result.lost = lost if result.readback_failures < len(documents) else None

    # Stale write-backs: an acknowledged response whose document shows, for another slot of
    # the assessment, neither the newest value acknowledged before this save was sent nor a
    # value of a save to that slot that was in flight meanwhile.
    for save in result.saves:
        if not save.acked or save.answers is None:
            continue
        for question in QUESTIONS:
            if question == save.question:
                continue
            slot_saves = by_slot.get((save.invitation, question), [])
            before = [s for s in slot_saves if s.acked and s.done < save.sent_after]
            if not before:
                continue
            newest = max(before, key=lambda s: s.seq)
            meanwhile = {
                s.value
                for s in slot_saves
                if (s.seq > newest.seq and s.sent_after < save.done) or s.unknown
            }
            if save.answers.get(question) not in {newest.value} | meanwhile:
                result.stale_writebacks += 1


class Sampler:
    """Once a second during a rate: the server's thread count and CPU time (Linux ``/proc``),
    and for PostgreSQL the benchmark database's connections in ``pg_stat_activity`` by state
    and wait event, to see pool use and lock waits."""

    def __init__(self, pid: int, database_url: str, backend: str) -> None:
        self.pid = pid
        self.url = make_url(database_url)
        self.postgres = backend == "postgresql"
        self.peak: dict[str, int] = {}
        self.cpu_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._cpu0 = self._cpu()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.cpu_s = self._cpu() - self._cpu0

    def _cpu(self) -> float:
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _threads(self) -> int:
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return 0
        return next(
            (int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("Threads:")), 0
        )

    def _note(self, now: Counter[str]) -> None:
        for key, n in now.items():
            self.peak[key] = max(self.peak.get(key, 0), n)

    def _run(self) -> None:
        connection = None
        if self.postgres:
            import psycopg

            url = self.url
            try:
                connection = psycopg.connect(
                    host=url.host or "127.0.0.1",
                    port=url.port or 5432,
                    user=url.username or "postgres",
                    password=url.password,
                    dbname="postgres",
                    autocommit=True,
                )
            except psycopg.Error as exc:
                progress(f"pg_stat_activity not sampled: {exc}")
        try:
            while not self._stop.wait(1.0):
                now: Counter[str] = Counter({"server threads": self._threads()})
                if connection is not None:
                    rows = connection.execute(
                        "SELECT state, coalesce(wait_event_type, '') || ':' || "
                        "coalesce(wait_event, ''), count(*) FROM pg_stat_activity "
                        "WHERE datname = %s AND pid <> pg_backend_pid() GROUP BY 1, 2",
                        (BENCH_DATABASE,),
                    ).fetchall()
                    for state, wait, n in rows:
                        now["pg connections"] += n
                        now[f"pg {state or 'none'}"] += n
                        if wait != ":" and state == "active":
                            now[f"pg active waiting {wait}"] += n
                self._note(now)
        finally:
            if connection is not None:
                connection.close()


# Run -----------------------------------------------------------------------------------------


def run_backend(
    backend: str,
    args: argparse.Namespace,
    workdir: Path,
    stop_at: float,
    results: list[RateResult],
    info: dict[str, Any],
) -> None:
    """One backend, every rate; results are appended as they come, so a deadline or an
    interrupt still reports the rates that finished. A server that has not answered /healthz
    within ``--recover`` seconds after a rate is killed, and the answers are read back from a
    new one (on the same database): the lost check then sees only committed state, and the
    next rate starts on a server that is not still working off the previous rate's backlog."""
    progress(f"{backend}: preparing a fresh database")
    url = fresh_database(backend, args.database_url, workdir)
    token = create_analyst(url)
    problems: Counter[str] = Counter()
    info["problems"], info["restarts"] = problems, 0
    server = start_server(url, workdir, 1)
    try:
        api = Api(server.base_url, token, timeout=120.0)
        try:
            tokens = build_invitations(api)
        finally:
            api.close()
        info["questionnaire"] = open_gates(server.base_url, tokens)
        time.sleep(2.0)  # the background findings refreshes of the first saves
        seq = 1
        for rate in args.rates:
            if time.monotonic() > stop_at:
                raise Deadline
            result = RateResult(backend, rate, args.seconds)
            progress(f"{backend}: {rate}/s for {args.seconds:g} s")
            with Sampler(server.process.pid, url, backend) as sampler:
                seq = run_async(
                    run_rate(
                        server.base_url,
                        tokens,
                        result,
                        seq,
                        args.timeout,
                        stop_at,
                        args.full_view,
                    )
                )
                ended = time.monotonic()
                back = server.wait_healthy(max(0.0, min(args.recover, stop_at - ended)))
                result.drained_s = None if back is None else time.monotonic() - ended
            result.activity_peak, result.server_cpu_s = sampler.peak, sampler.cpu_s
            if back is None:
                progress(f"{backend}: /healthz still down {args.recover:g} s after: restarting")
                problems.update(stop_server(server))
                info["restarts"] += 1
                server = start_server(url, workdir, info["restarts"] + 1)
                result.restarted = True
            progress(f"{backend}: {rate}/s done; reading the assessments back")
            budget = max(1.0, min(READBACK_BUDGET_S, stop_at - time.monotonic()))
            count_lost(result, read_back(server.base_url, tokens, budget))
            results.append(result)
            progress(
                f"{backend} {rate}/s: {result.acked}/{result.sent} acknowledged, "
                f"lost {result.lost}/{result.checked}, healthz misses {result.health_misses}"
            )
    finally:
        problems.update(stop_server(server))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--database-url",
        help="a new SQLite file URL, or a PostgreSQL server URL (its dedicated database "
        f"{BENCH_DATABASE} is dropped and recreated); sets --backend to that one",
    )
    parser.add_argument("--rates", default="50,100,200", help="saves per second, comma-separated")
    parser.add_argument("--seconds", type=float, default=30.0, help="per rate (default 30)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 5 s per rate")
    parser.add_argument("--timeout", type=float, default=10.0, help="per request (default 10 s)")
    parser.add_argument(
        "--recover", type=float, default=20.0, help="wait for /healthz after a rate (20 s)"
    )
    parser.add_argument("--deadline", type=float, default=720.0, help="whole run (720 s)")
    parser.add_argument("--json", action="store_true", help="also one JSON line per result")
    parser.add_argument(
        "--full-view",
        action="store_true",
        help="ask for the whole respondent view on each save, not Prefer: return=minimal",
    )
    parser.add_argument("--skip-floors", action="store_true")
    args = parser.parse_args()
    args.rates = [int(r) for r in args.rates.split(",") if r.strip()]
    if not args.rates or min(args.rates) < 1:
        parser.error("--rates needs positive integers")
    if args.quick:
        args.seconds = min(args.seconds, 5.0)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if args.database_url:
        name = make_url(args.database_url).get_backend_name()
        if name not in ("sqlite", "postgresql"):
            parser.error(f"unsupported database {name!r}")
        backends = [name]

    stop_at = time.monotonic() + args.deadline
    watchdog = threading.Timer(args.deadline + 60, hard_stop)  # if even the deadline hangs
    watchdog.daemon = True
    watchdog.start()
    signal.signal(signal.SIGALRM, raise_deadline)
    signal.alarm(int(args.deadline) + 30)  # a blocking call that ignores stop_at

    workdir = Path(tempfile.mkdtemp(prefix="fairpath-respond-load-"))
    results: list[RateResult] = []
    infos: dict[str, dict[str, Any]] = {}
    succeeded = False
    try:
        for backend in backends:
            (workdir / backend).mkdir()
            infos[backend] = {}
            run_backend(backend, args, workdir / backend, stop_at, results, infos[backend])
        succeeded = True
    except KeyboardInterrupt:
        progress("interrupted")
        raise SystemExit(130) from None
    except Deadline:
        progress(f"the overall deadline ({args.deadline:g} s) passed: stopped")
    finally:
        signal.alarm(0)
        for server in list(_SERVERS):
            server.stop()
        if succeeded:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            progress(f"kept {workdir} (server.log) for inspection")
    watchdog.cancel()

    floors_text = "(floors skipped: --skip-floors)"
    if not args.skip_floors:
        progress(f"running the floors ({FLOORS})")
        _floors, floors_text = run_floors()
    report(args, results, infos, floors_text)


def raise_deadline(_signum: int, _frame: object) -> None:
    raise Deadline


def hard_stop() -> None:
    for server in list(_SERVERS):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGKILL)
    print("respond_load: hard deadline passed; server killed", file=sys.stderr, flush=True)
    os._exit(3)


# Report --------------------------------------------------------------------------------------


def ms(value: float | None) -> str:
    return f"{value * 1000:,.0f} ms" if value is not None else "—"


def report(
    args: argparse.Namespace,
    results: list[RateResult],
    infos: dict[str, dict[str, Any]],
    floors_text: str,
) -> None:
    print(
        f"## Respondent saves under load: {args.seconds:g} s per rate, {INVITATIONS} invitations\n"
    )
    for backend, info in infos.items():
        print(
            f"- {backend}: questionnaire {info.get('questionnaire')}; "
            f"server restarts after a stuck rate: {info.get('restarts', 0)}"
        )
    print(
        f"- each save: one answer of {len(QUESTIONS)} questions ({', '.join(QUESTIONS)}), "
        + ("the whole respondent view back" if args.full_view else "Prefer: return=minimal")
        + "; "
        f"request timeout {args.timeout:g} s; /healthz polled every {HEALTH_EVERY_S} s "
        f"({HEALTH_TIMEOUT_S:g} s timeout)"
    )
    print(
        f"- target: p99 < {TARGET_P99_S * 1000:.0f} ms at "
        + " and ".join(f"{r}/s on {b}" for b, r in TARGET_RATE.items())
        + ", 0 errors, 0 lost, /healthz answering throughout\n"
    )
    header = [
        "backend",
        "rate",
        "sent (skipped)",
        "acknowledged",
        "errors",
        "p50",
        "p99",
        "max",
        "lost / checked",
        "stale write-backs",
        "/healthz misses",
        "target met?",
    ]
    rows = []
    for r in results:
        errors = ", ".join(f"{k}: {v:,}" for k, v in r.errors().most_common()) or "0"
        lost = f"{r.lost} / {r.checked}" if r.lost is not None else "read-back failed"
        if r.readback_failures and r.lost is not None:
            lost += f" ({r.readback_failures} read-backs failed)"
        health = f"{r.health_misses} of {r.health_polls}"
        if r.drained_s is None:
            health += f"; still down {args.recover:g} s after (server restarted)"
        elif r.drained_s > 1.0:
            health += f"; back {r.drained_s:.0f} s after"
        p99 = r.quantile(0.99)
        met = "—"
        if TARGET_RATE.get(r.backend) == r.rate:
            ok = (
                p99 is not None
                and p99 < TARGET_P99_S
                and r.acked == r.sent
                and r.skipped == 0
                and r.lost == 0
                and r.health_misses == 0
            )
            met = "yes" if ok else "**no**"
        rows.append(
            [
                r.backend,
                f"{r.rate}/s",
                f"{r.sent:,} ({r.skipped:,})",
                f"{r.acked:,}",
                errors,
                ms(r.quantile(0.5)),
                ms(p99),
                ms(r.worst()),
                lost,
                f"{r.stale_writebacks:,}",
                health,
                met,
            ]
        )
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join("---" for _ in header) + " |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(
        "\nLatency is from when each save was due (open loop), over acknowledged saves; "
        "client lag (the generator late on its schedule), worst per rate: "
        + ", ".join(f"{r.backend} {r.rate}/s {r.max_lag_s * 1000:.0f} ms" for r in results)
    )
    for r in results:
        if r.lost_examples:
            print(f"\nLost, {r.backend} {r.rate}/s (first ones): " + "; ".join(r.lost_examples))
    print("\nServer, sampled once a second during each rate (peaks), and its CPU time:\n")
    for r in results:
        peaks = ", ".join(f"{k} {v}" for k, v in sorted(r.activity_peak.items()))
        per = f"{1000 * r.server_cpu_s / r.sent:.1f} ms per save sent" if r.sent else "—"
        print(
            f"- {r.backend} {r.rate}/s: CPU {r.server_cpu_s:.1f} s ({per}); {peaks or 'no samples'}"
        )
    for backend, info in infos.items():
        problems: Counter[str] = info.get("problems") or Counter()
        if problems:
            print(f"\nServer log ({backend}), warning/error lines by kind:")
            print("```")
            for line, n in problems.most_common(8):
                print(f"{n:6,} x {line}")
            print("```")
        else:
            print(f"\nServer log ({backend}): no warnings or errors.")
    print("\n### Floors (shared/bench/floors.py, run in this process after the servers stopped)\n")
    print("```\n" + floors_text + "\n```")
    if args.json:
        for r in results:
            print(json.dumps({"benchmark": "respond_load", **r.as_json()}))


if __name__ == "__main__":
    main()
