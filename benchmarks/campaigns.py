"""Benchmark: assessment campaigns (issue 27) as users hit them, over HTTP, with email on.

    python benchmarks/campaigns.py [--database-url URL] [--nodes N] [--recruiters R]
        [--small S] [--large L] [--calls C] [--mail-wait SECONDS] [--skip-floors]

Like ``benchmarks/api_network.py`` (whose helpers it imports), it measures what a client sees:
a real ``fairpath serve`` process on 127.0.0.1, called with an API token, and the dashboard
through the real sign-in form. It

1. migrates a fresh database (SQLite in a temporary directory by default; for a PostgreSQL URL
   it drops and recreates the dedicated database ``fairpath_bench_campaigns`` on that server and
   never touches any other), creates a buyer, an admin and an API token;
2. starts an SMTP sink on loopback (an ``aiosmtpd`` controller in this process whose handler
   only counts each message's time of arrival by recipient domain), then the server with
   ``FAIRPATH_SMTP_HOST``/``PORT`` pointing at it, ``FAIRPATH_SMTP_SECURITY=none`` and
   ``FAIRPATH_INLINE_CAMPAIGN_TARGETS=500``: email is on, and the job queue (the server's own
   threads, its SQLite queue file) sends the invitations;
3. generates a network (default 20,000 nodes: a company, tiered suppliers, destination
   agencies, ``--recruiters`` origin agencies, sub-agents and worker groups, with ``supplies``,
   ``recruits_for``, ``refers_to`` and ``employed_by`` edges) and imports it with ``POST
   /networks/{id}/import`` (a job, as the CSV pair is over 1 MiB), then waits until the
   findings the import triggers are current. None of this is in the campaign timings;
4. creates a campaign of ``--small`` (400) origin agencies, Cambodia's, selected by kind, role
   and country, with a contact and an email address for each: ``POST .../campaigns`` answers
   201, written in the request (timed), and its invitations go out; times until the sink has
   all of them;
5. creates a campaign of ``--large`` (5,000) origin agencies of Nepal, Bangladesh and Myanmar,
   contacts in Nepali, Bengali and Burmese: more than the inline limit, so ``POST`` answers 202
   with a job; times the 202, then polls the job's ``Location`` every 0.25 s until it is done
   (each progress stage with the time it was first seen), then until the sink has all the
   invitations (at most ``--mail-wait`` seconds), and how they arrived (in bursts);
6. reads, ``--calls`` (10) times each, p50 and worst: the network's campaigns, the large
   campaign, its targets (first page of 50, and ``status=sent``), ``/api/v1/campaigns/due``
   for the due date's month, then, signed in through the form as in
   ``benchmarks/dashboard_client.py``, the dashboard's campaigns page and the large campaign's
   page; reads the server's peak RSS (``VmHWM``) and stops it;
7. times ``fairpath campaigns run`` once (the CLI, a new process, same database and data
   directory, email on) when nothing is owed: the cost of the periodic minute's pass; and, for
   reference, the same pass called in this process, and the CLI's imports alone;
8. runs ``shared/bench/floors.py`` in this process (unless ``--skip-floors``) and prints
   Markdown tables with the targets: reads p50 under 0.3 s, the request-written campaign under
   2 s, dashboard pages under 1 s (p50).

The due date is 21 days away, with reminders 7, 3 and 1 days before it and 2 after it, so
nothing but the invitations is owed during the run. ``--quiet-below LOAD`` makes the reads wait
(up to 15 minutes) for the 1-minute load average to fall below LOAD; the report gives the load
either way. Progress goes to stderr, the tables to stdout; a run stopped by a failure, Ctrl-C
or SIGTERM stops the server and still prints what it measured. The default run takes about ten
minutes (before commit c173a27 a run sent at most 100 emails, so 5,000 invitations took 49
minutes: hence the ``--mail-wait`` bound of 75). Run from the project root with the project
installed; also runs as ``python -m benchmarks.campaigns``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the project root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from aiosmtpd.controller import Controller
from sqlalchemy.engine import make_url
from sqlmodel import Session

import benchmarks.api_network as api_network
from api.db import make_engine
from api.migrate import upgrade
from benchmarks.api_client import TIMEOUT_S, Api, Call, Series, items_of, shape, total_of
from benchmarks.api_network import (
    FLOORS,
    RSS_LIMIT_MB,
    Accounts,
    Endpoint,
    create_accounts,
    free_port,
    markdown,
    prepare_database,
    progress,
    rss_row,
    run_floors,
    running_server,
    seconds,
    settle,
    verdict,
)
from benchmarks.dashboard_client import Browser, give_password
from core.clock import utcnow
from core.tenancy import Scope
from questionnaires import service as questionnaire_service
from questionnaires.models import QuestionnaireRecord

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "fairpath_bench_campaigns"  # the only PostgreSQL database this script drops
INLINE_TARGETS = 500  # FAIRPATH_INLINE_CAMPAIGN_TARGETS, set explicitly for the server
READ_P50_S = 0.3
INLINE_CREATE_S = 2.0
PAGE_P50_S = 1.0
DUE_IN_DAYS = 21
REMINDER_OFFSETS = [-7, -3, -1, 2]
SEED = 11
JOB_POLL_S = 0.25
JOB_WAIT_S = 1800.0
MAIL_POLL_S = 0.5
BURST_GAP_S = 10.0  # arrivals further apart than this start a new burst
SMALL_COUNTRIES = ("KH",)
LARGE_COUNTRIES = ("NP", "BD", "MM")
LARGE_SHARES = (0.4, 0.35)  # NP, BD; Myanmar takes the rest
SPARE_COUNTRY = "PH"  # origin agencies asked by neither campaign
DESTINATIONS = ("TH", "MY")
SECTORS = ("seafood_processing", "fishing", "electronics", "garments", "palm_oil")
LANGUAGE_OF = {"NP": "ne", "BD": "bn", "MM": "my"}  # the contacts' languages where translated
SMALL_DOMAIN, LARGE_DOMAIN = "small.bench.example", "large.bench.example"


# Network ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkFiles:
    nodes_csv: bytes
    edges_csv: bytes
    kinds: Counter[str]  # nodes per kind or recruiter role
    edges: Counter[str]  # edges per kind
    small: list[tuple[str, str]]  # (external id, country) of the small campaign's agencies
    large: list[tuple[str, str]]


def _csv(rows: list[dict[str, object]]) -> bytes:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def origin_countries(recruiters: int, small: int, large: int) -> list[str]:
    """Each origin agency's country: the small campaign's, the large one's three, the rest."""
    nepal, bangladesh = (int(large * share) for share in LARGE_SHARES)
    return (
        [SMALL_COUNTRIES[0]] * small
        + ["NP"] * nepal
        + ["BD"] * bangladesh
        + ["MM"] * (large - nepal - bangladesh)
        + [SPARE_COUNTRY] * (recruiters - small - large)
    )


def build_network(nodes: int, recruiters: int, small: int, large: int) -> NetworkFiles:
    """A network of exactly ``nodes`` nodes with ``recruiters`` origin agencies, each recruiting
    for a supplier on its own corridor; sub-agents refer to them, worker groups work at the
    suppliers. Cycle-free by construction."""
    rng = random.Random(SEED)
    suppliers_n, agencies_n, subs_n = max(10, nodes // 8), max(2, nodes // 40), nodes // 4
    groups_n = nodes - 1 - suppliers_n - agencies_n - recruiters - subs_n
    if groups_n < 0:
        raise SystemExit(f"{nodes:,} nodes cannot hold {recruiters:,} origin agencies")
    rows: list[dict[str, object]] = [
        {"id": "CO", "kind": "company", "name": "Bench Brand", "country": "GB"}
    ]
    edges: list[dict[str, object]] = []
    tier1 = max(1, suppliers_n // 10)
    supplier_country: dict[str, str] = {}
    for i in range(suppliers_n):
        ident, country = f"S{i}", rng.choice(DESTINATIONS)
        supplier_country[ident] = country
        rows.append(
            {
                "id": ident,
                "kind": "supplier",
                "name": f"Supplier {i}",
                "country": country,
                "sector": rng.choice(SECTORS),
                "tier": 1 if i < tier1 else 2,
                "workers": 500,
                "migrant_workers": rng.randint(0, 400),
            }
        )
        buyer = "CO" if i < tier1 else f"S{rng.randrange(tier1)}"
        edges.append({"source": ident, "target": buyer, "kind": "supplies"})
    suppliers = list(supplier_country)
    origins = sorted(set(origin_countries(recruiters, small, large)))
    for i in range(agencies_n):
        ident = f"DA{i}"
        rows.append(
            {
                "id": ident,
                "kind": "recruiter",
                "name": f"Destination agency {i}",
                "country": rng.choice(DESTINATIONS),
                "role": "destination_agency",
                "licence": f"L-{ident}",
            }
        )
        for employer in rng.sample(suppliers, 2):
            edges.append(_recruits(ident, employer, rng.choice(origins), supplier_country, rng))
    small_ids: list[tuple[str, str]] = []
    large_ids: list[tuple[str, str]] = []
    agency_country: list[tuple[str, str]] = []
    for i, country in enumerate(origin_countries(recruiters, small, large)):
        ident = f"OA{i}"
        agency_country.append((ident, country))
        if country in SMALL_COUNTRIES:
            small_ids.append((ident, country))
        elif country in LARGE_COUNTRIES:
            large_ids.append((ident, country))
        rows.append(
            {
                "id": ident,
                "kind": "recruiter",
                "name": f"Origin agency {i} ({country})",
                "country": country,
                "role": "origin_agency",
                "licence": f"L-{ident}" if rng.random() < 0.9 else "",
            }
        )
        edges.append(_recruits(ident, rng.choice(suppliers), country, supplier_country, rng))
    for i in range(subs_n):
        agency, country = rng.choice(agency_country)
        ident = f"SA{i}"
        rows.append(
            {
                "id": ident,
                "kind": "recruiter",
                "name": f"Sub-agent {i}",
                "country": country,
                "role": "sub_agent",
            }
        )
        edges.append(
            {"source": ident, "target": agency, "kind": "refers_to", "workers": rng.randint(1, 30)}
        )
    for i in range(groups_n):
        employer = rng.choice(suppliers)
        rows.append(
            {
                "id": f"WG{i}",
                "kind": "worker_group",
                "name": f"Cohort {i}",
                "country": supplier_country[employer],
                "origin": rng.choice(origins),
                "destination": supplier_country[employer],
                "workers": 20,
            }
        )
        edges.append({"source": f"WG{i}", "target": employer, "kind": "employed_by"})
    kinds = Counter(str(row.get("role") or row["kind"]) for row in rows)
    edge_kinds = Counter(str(edge["kind"]) for edge in edges)
    return NetworkFiles(_csv(rows), _csv(edges), kinds, edge_kinds, small_ids, large_ids)


def _recruits(
    source: str, employer: str, origin: str, countries: dict[str, str], rng: random.Random
) -> dict[str, object]:
    return {
        "source": source,
        "target": employer,
        "kind": "recruits_for",
        "origin": origin,
        "destination": countries[employer],
        "workers": rng.randint(10, 200),
    }


# Jobs and campaigns ----------------------------------------------------------------------------


def post_located(base_url: str, token: str, path: str, **kwargs: Any) -> tuple[Call, str | None]:
    """A POST timed as ``Api.call`` times it, also returning the ``Location`` header (the job
    to follow after a 202), which ``Call`` does not keep."""
    headers = {"Authorization": f"Bearer {token}"}
    timeout = httpx.Timeout(TIMEOUT_S, connect=10.0)
    with httpx.Client(base_url=base_url, headers=headers, timeout=timeout) as client:
        started = time.perf_counter()
        try:
            response = client.post(path, **kwargs)
        except httpx.HTTPError as exc:
            return Call(time.perf_counter() - started, None, f"{type(exc).__name__}: {exc}"), None
        took = time.perf_counter() - started
    try:
        body: Any = response.json() if response.content else None
    except ValueError:
        body = None
    error = ""
    if response.status_code >= 400:
        detail = body.get("detail") if isinstance(body, dict) else None
        error = str(detail or response.text[:300])
    call = Call(took, response.status_code, error, body, len(response.content))
    return call, response.headers.get("location")


@dataclass
class JobRun:
    """A 202 and the job it started, as a client following its ``Location`` sees them."""

    accepted: Call
    location: str | None
    stages: list[tuple[float, str, int, int | None]] = field(default_factory=list)
    done_s: float | None = None  # from the POST to the first poll that saw "done"
    state: str = "not started"
    body: dict[str, Any] = field(default_factory=dict)
    polls: int = 0
    poll_times: list[float] = field(default_factory=list)


def follow_job(api: Api, accepted: Call, location: str | None, started: float) -> JobRun:
    """Poll the job until it is done or failed, keeping each progress value the first time it
    is seen (seconds since ``started``, the moment the POST was sent)."""
    run = JobRun(accepted, location)
    body = accepted.body if isinstance(accepted.body, dict) else {}
    where = location or (body.get("links") or {}).get("self")
    if accepted.status != 202 or not where:
        run.state = f"no job ({accepted.outcome()})"
        return run
    deadline = time.perf_counter() + JOB_WAIT_S
    while True:
        state = str(body.get("state"))
        point = body.get("progress") or {}
        seen = (str(point.get("stage")), int(point.get("done") or 0), point.get("total"))
        if not run.stages or run.stages[-1][1:] != seen:
            run.stages.append((time.perf_counter() - started, *seen))
        if state in ("done", "failed"):
            run.state, run.body = state, body
            if state == "done":
                run.done_s = time.perf_counter() - started
            return run
        if time.perf_counter() > deadline:
            run.state, run.body = f"still {state} after {JOB_WAIT_S:.0f} s", body
            return run
        time.sleep(JOB_POLL_S)
        polled = api.get(where)
        run.polls += 1
        run.poll_times.append(polled.seconds)
        if polled.ok and isinstance(polled.body, dict):
            body = polled.body


def import_network(
    api: Api, base_url: str, who: Accounts, files: NetworkFiles
) -> tuple[int, JobRun | Call]:
    """``POST /networks``, then the CSV pair; a large body is a job, followed to its end."""
    created = api.post(
        "/api/v1/networks", json={"name": "Campaigns", "organisation_id": who.buyer_id}
    )
    if not created.ok:
        raise SystemExit(f"creating the network failed: {created.outcome()} {created.error}")
    network_id = int(created.body["id"])
    multipart = {
        "nodes": ("nodes.csv", files.nodes_csv, "text/csv"),
        "edges": ("edges.csv", files.edges_csv, "text/csv"),
    }
    started = time.perf_counter()
    path = f"/api/v1/networks/{network_id}/import"
    call, location = post_located(base_url, who.token, path, files=multipart)
    if call.status == 202:
        job = follow_job(api, call, location, started)
        if job.state != "done":
            raise SystemExit(f"the import job ended {job.state}: {job.body.get('problem')}")
        return network_id, job
    if not call.ok:
        raise SystemExit(f"the import failed: {call.outcome()}: {call.error}")
    return network_id, call


def campaign_body(
    name: str,
    countries: tuple[str, ...],
    agencies: list[tuple[str, str]],
    domain: str,
    due: date,
    languages: set[str],
) -> dict[str, Any]:
    """A campaign of the origin agencies of ``countries``, each with a contact and an email
    address at ``domain`` (which tells the sink's counts apart), in its country's language
    where the questionnaire is translated."""
    contacts = [
        {
            "node": ident,
            "name": f"Contact of {ident}",
            "email": f"{ident.lower()}@{domain}",
            "language": language if (language := LANGUAGE_OF.get(country)) in languages else "en",
        }
        for ident, country in agencies
    ]
    return {
        "name": name,
        "selection": {
            "kinds": ["recruiter"],
            "roles": ["origin_agency"],
            "countries": list(countries),
        },
        "due_date": due.isoformat(),
        "reminder_offsets": REMINDER_OFFSETS,
        "contact_name": "Compliance team",
        "contact_email": "compliance@buyer.example",
        "language": "en",
        "contacts": contacts,
    }


def recruiter_languages(engine: Any) -> set[str]:
    """The languages of the library questionnaire a campaign of origin agencies gets."""
    with Session(engine) as session:
        records = questionnaire_service.list_questionnaires(
            session, scope=Scope.everything(), latest_only=True
        )
        for record in records:
            document = questionnaire_service.parsed(record)
            if record.organisation_id is None and document.applies_to_node(
                "recruiter", "origin_agency"
            ):
                assert isinstance(record, QuestionnaireRecord)
                return set(questionnaire_service.languages(record))
    return {"en"}


# SMTP sink -------------------------------------------------------------------------------------


class CountingInbox:
    """An aiosmtpd handler that keeps nothing but each message's arrival time, by the domain of
    its recipients (the campaigns' contacts are at different domains)."""

    def __init__(self) -> None:
        self.arrivals: dict[str, list[float]] = defaultdict(list)

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        now = time.perf_counter()
        for address in envelope.rcpt_tos:
            self.arrivals[address.rpartition("@")[2].lower()].append(now)
        return "250 Message accepted"

    def count(self, domain: str) -> int:
        return len(self.arrivals.get(domain, ()))

    def total(self) -> int:
        return sum(len(times) for times in self.arrivals.values())


@contextlib.contextmanager
def smtp_sink() -> Iterator[tuple[CountingInbox, int]]:
    inbox = CountingInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@dataclass
class Mail:
    """How one campaign's invitations reached the sink, in seconds since its POST."""

    expected: int
    received: int = 0
    first_s: float | None = None
    all_s: float | None = None
    arrivals: list[float] = field(default_factory=list)

    def bursts(self) -> list[tuple[float, int, float]]:
        """(start, emails, duration) of each run of arrivals with no gap over BURST_GAP_S."""
        found: list[tuple[float, int, float]] = []
        start = last = None
        count = 0
        for moment in self.arrivals:
            if last is None or moment - last > BURST_GAP_S:
                if start is not None and last is not None:
                    found.append((start, count, last - start))
                start, count = moment, 0
            count += 1
            last = moment
        if start is not None and last is not None:
            found.append((start, count, last - start))
        return found


def wait_for_mail(
    inbox: CountingInbox, domain: str, expected: int, started: float, limit_s: float
) -> Mail:
    """Wait until the sink has ``expected`` messages for ``domain`` or ``limit_s`` passed."""
    deadline = started + limit_s
    shown = -1
    while inbox.count(domain) < expected and time.perf_counter() < deadline:
        received = inbox.count(domain)
        if received // 500 != shown:
            shown = received // 500
            progress(f"{received:,} of {expected:,} invitations at the sink ({domain})")
        time.sleep(MAIL_POLL_S)
    arrivals = sorted(moment - started for moment in inbox.arrivals.get(domain, []))
    mail = Mail(expected, len(arrivals), arrivals=arrivals)
    if arrivals:
        mail.first_s = arrivals[0]
    if len(arrivals) >= expected:
        mail.all_s = arrivals[expected - 1]
    progress(
        f"{len(arrivals):,} of {expected:,} invitations at the sink"
        + (f", all after {mail.all_s:.1f} s" if mail.all_s is not None else " (gave up)")
    )
    return mail


# Reads -----------------------------------------------------------------------------------------


def api_reads(network_id: int, campaign_id: int, due: date, today: date) -> list[Endpoint]:
    base = f"/api/v1/networks/{network_id}/campaigns"
    page = {"limit": 50}
    month = {} if (due.year, due.month) == (today.year, today.month) else {"month": f"{due:%Y-%m}"}
    return [
        Endpoint("GET .../campaigns (list)", base, page),
        Endpoint("GET .../campaigns/{id} (large)", f"{base}/{campaign_id}", {}),
        Endpoint("GET .../campaigns/{id}/targets?limit=50", f"{base}/{campaign_id}/targets", page),
        Endpoint(
            "GET .../targets?status=sent&limit=50",
            f"{base}/{campaign_id}/targets",
            {"status": "sent", **page},
        ),
        Endpoint(
            "GET /api/v1/campaigns/due" + (f"?month={due:%Y-%m}" if month else ""),
            "/api/v1/campaigns/due",
            month,
        ),
    ]


def page_reads(network_id: int, campaign_id: int) -> list[Endpoint]:
    base = f"/dashboard/networks/{network_id}/campaigns"
    return [
        Endpoint("/dashboard/networks/{id}/campaigns", base, {}),
        Endpoint("/dashboard/networks/{id}/campaigns/{cid} (large)", f"{base}/{campaign_id}", {}),
    ]


def repeat(reader: Api | Browser, endpoint: Endpoint, calls: int) -> Series:
    progress(f"reads: {endpoint.label} ({calls} calls)")
    runs = [reader.get(endpoint.path, endpoint.params) for _ in range(calls)]
    return Series(endpoint.label, first=runs[0], runs=runs)


# CLI -------------------------------------------------------------------------------------------


@dataclass
class CliRun:
    seconds: float
    returncode: int
    output: str
    imports_s: float | None = None
    in_process_s: float | None = None
    in_process: dict[str, Any] = field(default_factory=dict)
    emails: int = 0  # what the two passes sent (none when nothing was owed)


def time_cli(url: str, workdir: Path, smtp_env: dict[str, str]) -> CliRun:
    """``fairpath campaigns run`` in a new process, as cron runs it; then, for reference, the
    CLI module's imports alone and the same pass in this process."""
    env = {
        **os.environ,
        **smtp_env,
        "DATABASE_URL": url,
        "FAIRPATH_DATA_DIR": str(workdir / "data"),  # the server's
        "FAIRPATH_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "api.cli", "campaigns", "run"]
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    result = CliRun(time.perf_counter() - started, done.returncode, (done.stdout + done.stderr))
    imports = [sys.executable, "-c", "import api.cli.campaigns"]
    started = time.perf_counter()
    subprocess.run(imports, cwd=ROOT, env=env, capture_output=True, timeout=300, check=True)  # noqa: S603
    result.imports_s = time.perf_counter() - started

    from api.jobs.campaigns import run_campaigns
    from api.settings import Settings

    settings = Settings(
        database_url=url,
        data_dir=workdir / "data",
        smtp_host=smtp_env["FAIRPATH_SMTP_HOST"],
        smtp_port=int(smtp_env["FAIRPATH_SMTP_PORT"]),
        smtp_security="none",
        secret_key=smtp_env["FAIRPATH_SECRET_KEY"],
    )
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        result.in_process = run_campaigns(engine, settings)
        result.in_process_s = time.perf_counter() - started
    finally:
        engine.dispose()
    return result


# Main ------------------------------------------------------------------------------------------


@dataclass
class Results:
    network_id: int = 0
    imported: JobRun | Call | None = None
    import_settled_s: float | None = None
    small_call: Call | None = None
    small_settled_s: float | None = None
    small_mail: Mail | None = None
    large_job: JobRun | None = None
    large_mail: Mail | None = None
    large_settled_s: float | None = None
    reads: list[Series] = field(default_factory=list)
    sign_in: Call | None = None
    pages: list[Series] = field(default_factory=list)
    rss_mb: float | None = None
    problems: list[str] = field(default_factory=list)
    cli: CliRun | None = None
    due: date | None = None
    large_id: int | None = None
    load_before: float | None = None  # 1-minute load average when the reads started
    load_after: float | None = None
    stray: int | None = None  # emails at the sink for neither campaign
    inbox: CountingInbox | None = None
    posted: dict[str, tuple[float, int]] = field(default_factory=dict)  # domain: (POST, emails)

    def salvage(self) -> None:
        """After an interruption: what reached the sink so far for a campaign still waited on."""
        if self.inbox is None:
            return
        for domain, (started, expected) in self.posted.items():
            attribute = "small_mail" if domain == SMALL_DOMAIN else "large_mail"
            if getattr(self, attribute) is None:
                arrivals = sorted(t - started for t in self.inbox.arrivals.get(domain, []))
                mail = Mail(expected, len(arrivals), arrivals[0] if arrivals else None)
                mail.arrivals = arrivals
                setattr(self, attribute, mail)


def prepare(option: str | None, workdir: Path) -> str:
    """``api_network.prepare_database`` with this benchmark's own PostgreSQL database: the
    helper drops and recreates the database its module names, so name ours for the call."""
    saved = api_network.BENCH_DATABASE
    api_network.BENCH_DATABASE = BENCH_DATABASE
    try:
        return prepare_database(option, workdir)
    finally:
        api_network.BENCH_DATABASE = saved


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Variables the server (which copies this process's environment) starts with."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nodes", type=int, default=20_000)
    parser.add_argument("--recruiters", type=int, default=6_000, help="origin agencies")
    parser.add_argument("--small", type=int, default=400, help="targets written in the request")
    parser.add_argument("--large", type=int, default=5_000, help="targets written by a job")
    parser.add_argument(
        "--database-url",
        help="default: a fresh SQLite file in a temporary directory; a PostgreSQL URL names "
        f"the server, on which the database {BENCH_DATABASE!r} is dropped and recreated",
    )
    parser.add_argument("--calls", type=int, default=10, help="calls per read")
    parser.add_argument(
        "--mail-wait",
        type=float,
        default=4500.0,
        help="seconds to wait for a campaign's invitations to reach the sink (default 75 min)",
    )
    parser.add_argument(
        "--quiet-below",
        type=float,
        help="before the reads, wait (up to 15 min) until the 1-minute load average is below this",
    )
    parser.add_argument("--skip-floors", action="store_true", help="do not run floors.py")
    args = parser.parse_args()
    if args.calls < 1:
        parser.error("--calls must be at least 1")
    if not 0 < args.small <= INLINE_TARGETS < args.large <= 5000:
        parser.error(f"need 0 < --small <= {INLINE_TARGETS} < --large <= 5000 (the limits)")
    if args.small + args.large > args.recruiters:
        parser.error("--recruiters must hold --small plus --large")

    signal.signal(signal.SIGTERM, _terminated)  # stop the server and report, as on Ctrl-C
    workdir = Path(tempfile.mkdtemp(prefix="fairpath-campaign-bench-"))
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


def _terminated(signum: int, _frame: Any) -> None:
    raise SystemExit(f"terminated by signal {signum}")


def run(args: argparse.Namespace, workdir: Path) -> None:
    progress("preparing the database")
    url = prepare(args.database_url, workdir)
    engine = make_engine(url)
    upgrade(engine)  # what `fairpath db upgrade` runs
    who = create_accounts(engine)
    progress(f"generating the network ({args.nodes:,} nodes, {args.recruiters:,} origin agencies)")
    files = build_network(args.nodes, args.recruiters, args.small, args.large)
    results = Results()
    try:
        measure_all(args, url, workdir, engine, who, files, results)
    except (SystemExit, KeyboardInterrupt) as stopped:  # a failure, or a signal: say what ran
        progress(f"stopped ({stopped!r}); printing what was measured")
        results.salvage()
        report(args, url, files, results, None, f"(not run: the benchmark stopped: {stopped!r})")
        raise
    engine.dispose()

    floors_text = "(floors skipped: --skip-floors)"
    if not args.skip_floors:
        progress(f"running the floors ({FLOORS})")
        _figures, floors_text = run_floors()
    report(args, url, files, results, results.stray, floors_text)


def measure_all(
    args: argparse.Namespace,
    url: str,
    workdir: Path,
    engine: Any,
    who: Accounts,
    files: NetworkFiles,
    results: Results,
) -> None:
    """The SMTP sink, the server and its measurements, then the CLI pass."""
    with smtp_sink() as (inbox, smtp_port):
        smtp_env = {
            "FAIRPATH_SMTP_HOST": "127.0.0.1",
            "FAIRPATH_SMTP_PORT": str(smtp_port),
            "FAIRPATH_SMTP_SECURITY": "none",
            "FAIRPATH_MAIL_FROM": "Fairpath bench <no-reply@bench.example>",
            "FAIRPATH_INLINE_CAMPAIGN_TARGETS": str(INLINE_TARGETS),
            # One key for the server and the CLI, so links agree (and no warning in the log).
            "FAIRPATH_SECRET_KEY": secrets.token_urlsafe(48),
        }
        progress(f"SMTP sink on 127.0.0.1:{smtp_port}")
        with environment(smtp_env), running_server(url, workdir) as server:
            api = Api(server.base_url, who.token)
            try:
                measure(api, engine, server, who, files, inbox, args, results)
            finally:
                api.close()
            results.rss_mb = server.peak_rss_mb()
            results.problems = server.problems()
        before = inbox.total()
        results.stray = before - inbox.count(SMALL_DOMAIN) - inbox.count(LARGE_DOMAIN)
        progress("timing `fairpath campaigns run` (nothing owed), the server stopped")
        results.cli = time_cli(url, workdir, smtp_env)
        results.cli.emails = inbox.total() - before


def measure(
    api: Api,
    engine: Any,
    server: Any,
    who: Accounts,
    files: NetworkFiles,
    inbox: CountingInbox,
    args: argparse.Namespace,
    results: Results,
) -> None:
    """Every measurement against the running server, in the order the docstring says."""
    progress("importing the network (POST /networks/{id}/import), not timed as a campaign")
    results.network_id, results.imported = import_network(api, server.base_url, who, files)
    network_id = results.network_id
    results.import_settled_s = settle(api, network_id, time.perf_counter())
    today = utcnow().date()
    due = today + timedelta(days=DUE_IN_DAYS)
    results.due = due
    languages = recruiter_languages(engine)

    progress(f"campaign of {args.small} targets (POST .../campaigns, written in the request)")
    body = campaign_body(
        "Bench: Cambodia", SMALL_COUNTRIES, files.small, SMALL_DOMAIN, due, languages
    )
    started = time.perf_counter()
    call, _ = post_located(
        server.base_url, who.token, f"/api/v1/networks/{network_id}/campaigns", json=body
    )
    results.small_call = call
    results.inbox, results.posted[SMALL_DOMAIN] = inbox, (started, args.small)
    progress(f"answered {call.outcome()}")
    if call.status != 201:
        raise SystemExit(f"expected 201 for the small campaign: {call.outcome()} {call.error}")
    results.small_settled_s = settle(api, network_id, started)
    results.small_mail = wait_for_mail(inbox, SMALL_DOMAIN, args.small, started, args.mail_wait)

    progress(f"campaign of {args.large} targets (POST .../campaigns: a 202 job)")
    body = campaign_body(
        "Bench: Nepal, Bangladesh, Myanmar",
        LARGE_COUNTRIES,
        files.large,
        LARGE_DOMAIN,
        due,
        languages,
    )
    started = time.perf_counter()
    call, location = post_located(
        server.base_url, who.token, f"/api/v1/networks/{network_id}/campaigns", json=body
    )
    progress(f"answered {call.outcome()}; following the job")
    results.posted[LARGE_DOMAIN] = (started, args.large)
    job = follow_job(api, call, location, started)
    results.large_job = job
    progress(f"job {job.state}" + (f" after {job.done_s:.1f} s" if job.done_s else ""))
    if job.state != "done":
        raise SystemExit(f"the campaign job ended {job.state}: {job.body.get('problem')}")
    campaign = ((job.body.get("result") or {}).get("campaign")) or {}
    results.large_id = int(campaign["id"])
    results.large_settled_s = settle(api, network_id, started)
    results.large_mail = wait_for_mail(inbox, LARGE_DOMAIN, args.large, started, args.mail_wait)

    results.load_before = wait_quiet(args.quiet_below)
    for endpoint in api_reads(network_id, results.large_id, due, today):
        results.reads.append(repeat(api, endpoint, args.calls))
    progress("dashboard: giving the benchmark's user a password and signing in (POST /login)")
    email, password = give_password(engine, who.user_id)
    browser = Browser(server.base_url)
    try:
        results.sign_in = browser.sign_in(email, password)
        if results.sign_in.status == 303:
            for endpoint in page_reads(network_id, results.large_id):
                results.pages.append(repeat(browser, endpoint, args.calls))
        else:
            progress(f"sign-in failed: {results.sign_in.outcome()} {results.sign_in.error}")
    finally:
        browser.close()
    results.load_after = os.getloadavg()[0]


def wait_quiet(below: float | None, limit_s: float = 900.0) -> float:
    """The 1-minute load average before the reads; with ``below``, first wait (at most
    ``limit_s``) until it falls under that: the reads compare only on a quiet machine."""
    deadline = time.perf_counter() + limit_s
    load = os.getloadavg()[0]
    while below is not None and load >= below and time.perf_counter() < deadline:
        progress(f"load average {load:.2f}: waiting for it to fall below {below:g}")
        time.sleep(20)
        load = os.getloadavg()[0]
    return load


# Report ----------------------------------------------------------------------------------------


def read_row(entry: Series, limit: float, *, page: bool = False) -> list[str]:
    calls = [c for c in entry.runs if c is not None]
    wrong = [c for c in calls if (c.status != 200 if page else not c.ok)]
    p50, worst = entry.p50(), entry.worst()
    first = entry.first.outcome() if entry.first is not None else "—"
    if wrong:
        met = f"**no** ({len(wrong)} failed: {wrong[0].outcome()} {wrong[0].error[:60]})"
    else:
        met = verdict(p50 < limit) if p50 is not None else "—"
    if page:
        sizes = sorted({c.size for c in calls if c.status == 200})
        what = f"{sizes[0] / 1024:,.0f} KB" if sizes else "—"
        if len(sizes) > 1 and sizes[-1] - sizes[0] > 1024:
            what = f"{sizes[0] / 1024:,.0f} to {sizes[-1] / 1024:,.0f} KB"
    else:
        what = shape(entry.first)
    return [entry.label, first, seconds(p50), seconds(worst), what, f"p50 < {limit:g} s", met]


def mail_row(label: str, mail: Mail | None) -> list[str]:
    if mail is None:
        return [label, "not measured", "—", "—"]
    if mail.all_s is None:
        return [label, f"not all: {mail.received:,} of {mail.expected:,}", "—", "—"]
    return [label, f"{mail.all_s:.1f} s", "—", "—"]


def describe_bursts(mail: Mail) -> str:
    bursts = mail.bursts()
    if not bursts:
        return "no email arrived"
    sizes = [b[1] for b in bursts]
    lasting = [b[2] for b in bursts]
    gaps = [b[0] - a[0] for a, b in pairwise(bursts)]
    text = (
        f"{mail.received:,} in {len(bursts)} burst(s) (arrivals more than {BURST_GAP_S:g} s "
        f"apart start a new one): first email {mail.first_s:.1f} s after the POST; "
        f"burst sizes {min(sizes)} to {max(sizes)} (median {statistics.median(sizes):g}), each "
        f"lasting {min(lasting):.1f} to {max(lasting):.1f} s"
    )
    if gaps:
        text += f"; bursts started {min(gaps):.1f} to {max(gaps):.1f} s apart"
    rates = [n / d for _s, n, d in bursts if n >= 20 and d > 0]
    if rates:
        text += f"; within a burst {statistics.median(rates):.0f} emails/s (median)"
    return text


def report(
    args: argparse.Namespace,
    url: str,
    files: NetworkFiles,
    results: Results,
    stray: int | None,
    floors_text: str,
) -> None:
    """Everything on stdout as Markdown, so a run can be pasted into benchmarks/README.md."""
    where = make_url(url).render_as_string(hide_password=True)
    print(f"## Campaign benchmark: {args.nodes:,} nodes, {args.recruiters:,} origin agencies\n")
    print(f"- database: {where}; server: `fairpath serve` on 127.0.0.1, jobs in its threads")
    kinds = ", ".join(f"{k} {v:,}" for k, v in files.kinds.most_common())
    edges = ", ".join(f"{k} {v:,}" for k, v in files.edges.most_common())
    size = (len(files.nodes_csv) + len(files.edges_csv)) / 1e6
    print(f"- network: {kinds}; edges: {edges} ({size:.1f} MB CSV)")
    imported = results.imported
    if isinstance(imported, JobRun):
        took = f"a job, done {imported.done_s:.1f} s after the POST" if imported.done_s else "a job"
    else:
        took = imported.outcome() if imported else "—"
    print(
        f"- import (not in the campaign timings): {took}; findings current again "
        f"{seconds(results.import_settled_s)} later"
    )
    print(
        f"- campaigns: origin agencies by kind, role and country, a contact with an email for "
        f"each; due {results.due} ({DUE_IN_DAYS} days), reminders at {REMINDER_OFFSETS} days: "
        "only the invitations are owed during the run"
    )
    print(
        "- email: an aiosmtpd sink on loopback counting messages; the server with "
        "FAIRPATH_SMTP_SECURITY=none, FAIRPATH_INLINE_CAMPAIGN_TARGETS="
        f"{INLINE_TARGETS}; emails at the sink other than the two campaigns' invitations: {stray}"
    )
    print(
        f"- reads: {args.calls} calls each, one after the other, after all invitations arrived; "
        f"1-minute load average {results.load_before or 0:.2f} when they started, "
        f"{results.load_after or 0:.2f} when the pages were done ({os.cpu_count()} CPUs)\n"
    )

    job = results.large_job
    small = results.small_call
    small_met = "—"
    if small is not None:
        small_met = verdict(small.status == 201 and small.seconds < INLINE_CREATE_S)
    rows = [
        [
            f"POST .../campaigns, {args.small} targets (201, written in the request)",
            f"{small.outcome()} ({small.status})" if small is not None else "—",
            f"< {INLINE_CREATE_S:g} s",
            small_met,
        ],
        mail_row(f"all {args.small} invitations at the sink (from the POST)", results.small_mail),
        [
            "findings current again after that campaign (from the POST)",
            seconds(results.small_settled_s),
            "—",
            "—",
        ],
    ]
    if job is not None:
        accepted = job.accepted
        rows += [
            [
                f"POST .../campaigns, {args.large} targets: the 202",
                accepted.outcome() + (f" ({accepted.status})" if accepted.ok else ""),
                "—",
                "—",
            ],
            [f"the job done (from the POST; {job.polls} polls)", seconds(job.done_s), "—", "—"],
            mail_row(
                f"all {args.large} invitations at the sink (from the POST)", results.large_mail
            ),
            [
                "findings current (first checked once the job was done; from the POST)",
                seconds(results.large_settled_s),
                "—",
                "—",
            ],
        ]
    cli = results.cli
    if cli is not None:
        rows += [
            [
                "`fairpath campaigns run`, nothing owed (CLI process, wall)",
                f"{cli.seconds:.2f} s"
                + ("" if cli.returncode == 0 else f" (exit {cli.returncode})"),
                "—",
                "—",
            ],
            [
                "  of which the CLI's imports alone (`python -c 'import api.cli.campaigns'`)",
                seconds(cli.imports_s),
                "—",
                "—",
            ],
            [
                "  the same pass in this process (`run_campaigns`)",
                seconds(cli.in_process_s),
                "—",
                "—",
            ],
        ]
    rss = rss_row("server peak RSS (VmHWM), after the reads", results.rss_mb)
    rows.append([rss[0], rss[1], f"{rss[4]} (api_network's)", rss[5]])
    print(markdown(["step", "time", "target", "met?"], rows))
    if cli is not None:
        said = " ".join(line.strip() for line in cli.output.strip().splitlines()[-3:])
        print(f"\nThe CLI said: {said!r}; in process: {cli.in_process}.")
        print(f"Emails the two passes sent: {cli.emails} (0 when nothing was owed).")

    if job is not None:
        print(f"\n### The {args.large}-target job, polled every {JOB_POLL_S:g} s\n")
        stage_rows = [
            [f"{at:.2f} s", stage, f"{done:,}/{total:,}" if total else f"{done:,}"]
            for at, stage, done, total in job.stages
        ]
        print(markdown(["first seen (from the POST)", "stage", "done/total"], stage_rows))
        result = job.body.get("result") or {}
        print(f"\nJob result: `{result.get('campaign')}`")
        if job.poll_times:
            print(
                f"Each poll of the job: p50 {statistics.median(job.poll_times):.3f} s, worst "
                f"{max(job.poll_times):.3f} s."
            )

    print("\n### Invitations at the sink\n")
    for label, mail in (("small", results.small_mail), ("large", results.large_mail)):
        if mail is not None:
            print(f"- {label} campaign: {describe_bursts(mail)}")

    print(f"\n### API reads ({args.calls} calls each)\n")
    header = ["read", "first call", "p50", "worst", "response", "target", "met?"]
    print(markdown(header, [read_row(s, READ_P50_S) for s in results.reads]))
    due = next((s for s in results.reads if "due" in s.label), None)
    if due is not None and due.first is not None and due.first.ok:
        print(
            f"\n`/campaigns/due` counted {total_of(due.first.body)} entries "
            f"({len(items_of(due.first.body))} in the page)."
        )

    print("\n### Dashboard pages (signed in through the form, session cookie)\n")
    signed = results.sign_in
    if signed is None:
        print("Not measured.")
    elif not results.pages:
        print(f"Sign-in failed ({signed.outcome()}: {signed.error}); no page measured.")
    else:
        print(f"- sign-in (`POST /login`) answered {signed.status} in {signed.seconds:.3f} s\n")
        header = ["page", "first call", "p50", "worst", "size", "target", "met?"]
        print(markdown(header, [read_row(s, PAGE_P50_S, page=True) for s in results.pages]))

    if results.problems:
        shown = "\n".join(results.problems[:8])
        print(f"\nServer log: {len(results.problems)} warning/error lines, first ones:")
        print(f"```\n{shown}\n```")
    else:
        print("\nServer log: no warnings, errors or tracebacks.")

    print("\n### Floors (shared/bench/floors.py, run in this process after the server stopped)\n")
    print("```\n" + floors_text + "\n```")
    print(f"\n(Server memory target {RSS_LIMIT_MB / 1024:g} GB is api_network's, for reference.)")


if __name__ == "__main__":
    main()
