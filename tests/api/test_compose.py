"""``compose.yaml`` (README "Running as a team (compose)") stays true to the code.

There is no Docker engine in CI, so the file is parsed as YAML (``safe_load`` resolves the
anchors and ``<<:`` merge keys the way compose does) and checked against what would break a
real ``docker compose up``: the real settings fields, the real command line, the start order,
and the shared configuration every replica and worker must agree on.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from api.cli import build_parser
from api.settings import MIN_SECRET_LENGTH, Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "compose.yaml"
README = ROOT / "README.md"
README_SECTION = "## Running as a team (compose)"

ALL_INTERFACES = "0.0.0.0"  # noqa: S104 (inside the container, behind compose's port mapping)
REQUIRED_SERVICES = ("postgres", "redis", "migrate", "api-1", "api-2", "worker")
BACKING_SERVICES = ("postgres", "redis")
# Every process must see the same values, or replicas disagree: another database, another
# queue, cookies one replica signs and the next refuses, invitation links to another address.
SHARED_VARIABLES = (
    "DATABASE_URL",
    "FAIRPATH_QUEUE_URL",
    "FAIRPATH_SECRET_KEY",
    "FAIRPATH_PUBLIC_BASE_URL",
    "FAIRPATH_ENVIRONMENT",
)
# Values an operator exports; the file may only refer to them, never hold them.
OPERATOR_SECRETS = {
    "FAIRPATH_SECRET_KEY": "FAIRPATH_SECRET_KEY",
    "DATABASE_URL": "POSTGRES_PASSWORD",
}
SAMPLE_VALUES = {
    "POSTGRES_PASSWORD": "0123456789abcdef0123456789abcdef",
    "FAIRPATH_SECRET_KEY": "k" * (MIN_SECRET_LENGTH + 16),
}
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def _load() -> dict[str, Any]:
    assert COMPOSE_FILE.exists(), f"{COMPOSE_FILE.name} is missing at the repository root"
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict), "compose.yaml must be a mapping"
    assert isinstance(document.get("services"), dict), "compose.yaml has no services mapping"
    return document


COMPOSE = _load()
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]


def _app_services() -> dict[str, dict[str, Any]]:
    """The services run from the repository's own image (they have a ``build``)."""
    return {name: service for name, service in SERVICES.items() if "build" in service}


def _command(service: dict[str, Any]) -> list[str]:
    command = service.get("command")
    if command is None:
        return []
    if isinstance(command, str):
        return shlex.split(command)
    return [str(part) for part in command]


def _subcommand(service: dict[str, Any]) -> str | None:
    argv = _command(service)
    return argv[1] if len(argv) > 1 and argv[0] == "fairpath" else None


def _api_services() -> dict[str, dict[str, Any]]:
    return {n: s for n, s in _app_services().items() if _subcommand(s) == "serve"}


def _worker_services() -> dict[str, dict[str, Any]]:
    return {n: s for n, s in _app_services().items() if _subcommand(s) == "worker"}


def _environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):  # the "NAME=value" list form
        pairs = (entry.split("=", 1) for entry in environment)
        return {pair[0]: (pair[1] if len(pair) > 1 else "") for pair in pairs}
    return {str(name): "" if value is None else str(value) for name, value in environment.items()}


def _interpolate(value: str) -> str:
    """What compose substitutes, with sample values for what the operator must export."""

    def substitute(match: re.Match[str]) -> str:
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        if operator and operator.endswith("-"):
            return argument
        assert name in SAMPLE_VALUES, (
            f"compose.yaml needs ${{{name}}} from the environment with no default; "
            f"document it in the README and add a sample value to this test"
        )
        return SAMPLE_VALUES[name]

    return INTERPOLATION.sub(substitute, value).replace("$$", "$")


def _published_ports(service: dict[str, Any]) -> list[tuple[str, int]]:
    """(host port, container port) for each published port, short or long syntax."""
    published = []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            published.append((str(entry.get("published", "")), int(entry["target"])))
            continue
        parts = str(entry).split("/")[0].split(":")
        host = parts[-2] if len(parts) >= 2 else ""
        published.append((host, int(parts[-1])))
    return published


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    depends = service.get("depends_on") or {}
    if isinstance(depends, list):  # the short form means only "started"
        return dict.fromkeys(depends, "service_started")
    return {
        name: (spec or {}).get("condition", "service_started") for name, spec in depends.items()
    }


def _setting_field(variable: str) -> str | None:
    """The ``Settings`` field a variable sets (FAIRPATH_X -> x), ``None`` if it names none."""
    if variable == "DATABASE_URL":
        return "database_url"
    if not variable.startswith("FAIRPATH_"):
        return None
    field = variable.removeprefix("FAIRPATH_").lower()
    return field if field in Settings.model_fields else None


def test_every_service_is_there() -> None:
    missing = [name for name in REQUIRED_SERVICES if name not in SERVICES]
    assert not missing, f"compose.yaml lacks the services {missing}; it has {sorted(SERVICES)}"


def test_one_worker_two_replicas_one_migration() -> None:
    assert len(_worker_services()) == 1, (
        f"expected exactly one `fairpath worker` service (scale it with --scale), "
        f"found {sorted(_worker_services())}"
    )
    assert len(_api_services()) >= 2, (
        f"expected at least two `fairpath serve` replicas, found {sorted(_api_services())}"
    )
    migrations = [
        n for n, s in _app_services().items() if _command(s)[:3] == ["fairpath", "db", "upgrade"]
    ]
    assert migrations == ["migrate"], (
        f"expected `migrate` alone to run `fairpath db upgrade`: {migrations}"
    )
    roles = {"api-1": "serve", "api-2": "serve", "worker": "worker"}
    for name, role in roles.items():
        assert _subcommand(SERVICES[name]) == role, f"{name} should run `fairpath {role}`"


def test_app_services_run_one_image_built_from_the_dockerfile() -> None:
    apps = _app_services()
    assert set(apps) >= {"migrate", "api-1", "api-2", "worker"}, (
        f"migrate, the replicas and the worker must build from the repository: {sorted(apps)}"
    )
    for name, service in apps.items():
        build = service["build"]
        context = build if isinstance(build, str) else build.get("context", ".")
        dockerfile = (
            "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
        )
        assert (ROOT / context / dockerfile).exists(), f"{name} builds from a missing {dockerfile}"
    images = {name: service.get("image") for name, service in apps.items()}
    assert len(set(images.values())) == 1 and None not in images.values(), (
        f"every app service should name the same image, so it is built once: {images}"
    )


@pytest.mark.parametrize("variable", SHARED_VARIABLES)
def test_every_process_shares_the_configuration(variable: str) -> None:
    values = {
        name: _environment(service).get(variable) for name, service in _app_services().items()
    }
    assert None not in values.values(), f"{variable} is not set on every app service: {values}"
    assert len(set(values.values())) == 1, f"{variable} differs between app services: {values}"


def test_replicas_leave_jobs_to_the_worker() -> None:
    for name, service in _api_services().items():
        value = _environment(service).get("FAIRPATH_WORKER_IN_PROCESS")
        assert value == "false", (
            f"{name} must set FAIRPATH_WORKER_IN_PROCESS=false, or each replica runs jobs "
            f"itself besides the worker (it has {value!r})"
        )
    for name, service in _worker_services().items():
        value = _environment(service).get("FAIRPATH_WORKER_IN_PROCESS", "")
        assert value.lower() != "false", f"{name} is the worker; it must not turn jobs off"


@pytest.mark.parametrize("name", sorted(_app_services()))
def test_command_parses_with_the_real_command_line(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = _command(SERVICES[name])
    assert argv and argv[0] == "fairpath", f"{name} should run a `fairpath ...` command: {argv}"
    try:
        args = build_parser().parse_args(argv[1:])
    except SystemExit:
        pytest.fail(
            f"{name}: `{shlex.join(argv)}` is refused by the CLI: {capsys.readouterr().err}"
        )
    if args.command == "serve":
        assert args.host == ALL_INTERFACES, f"{name} must listen on every interface: {args.host}"
        ports = [container for _, container in _published_ports(SERVICES[name])]
        assert ports == [args.port], f"{name} serves on {args.port} but publishes {ports}"


def _variables_in_use() -> list[str]:
    names = {v for service in _app_services().values() for v in _environment(service)}
    return sorted(v for v in names if v == "DATABASE_URL" or v.startswith("FAIRPATH_"))


@pytest.mark.parametrize("variable", _variables_in_use())
def test_each_variable_is_a_real_setting(variable: str) -> None:
    users = sorted(n for n, s in _app_services().items() if variable in _environment(s))
    expected = variable.removeprefix("FAIRPATH_").lower()
    assert _setting_field(variable), (
        f"{variable} (set on {users}) names no field of api.settings.Settings (looked for "
        f"{expected!r}); settings ignore unknown variables, so this one would do nothing"
    )


@pytest.mark.parametrize("name", sorted(_app_services()))
def test_settings_accept_the_values(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in list(os.environ):
        if variable == "DATABASE_URL" or variable.startswith("FAIRPATH_"):
            monkeypatch.delenv(variable)
    environment = {k: _interpolate(v) for k, v in _environment(SERVICES[name]).items()}
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    settings = Settings()
    assert settings.environment == "production", f"{name} should run with production settings"
    settings.check_production_safety()  # raises with the reason the process would not start
    assert settings.database_url == environment["DATABASE_URL"]


def test_urls_point_at_the_backing_services() -> None:
    environment = {k: _interpolate(v) for k, v in _environment(SERVICES["api-1"]).items()}
    database = make_url(environment["DATABASE_URL"])
    postgres = _environment(SERVICES["postgres"])
    assert database.drivername == "postgresql+psycopg", f"unexpected driver {database.drivername}"
    assert (database.host, database.port or 5432) == ("postgres", 5432), (
        f"DATABASE_URL should reach the postgres service on 5432: {database.host}:{database.port}"
    )
    assert database.username == postgres.get("POSTGRES_USER"), (
        "database user differs from POSTGRES_USER"
    )
    assert database.database == postgres.get("POSTGRES_DB"), (
        "database name differs from POSTGRES_DB"
    )
    assert database.password == _interpolate(postgres.get("POSTGRES_PASSWORD", "")), (
        "DATABASE_URL's password is not postgres's POSTGRES_PASSWORD"
    )
    queue = make_url(environment["FAIRPATH_QUEUE_URL"])
    assert (queue.drivername, queue.host) == ("redis", "redis"), (
        f"FAIRPATH_QUEUE_URL should be redis://redis:6379/...: {environment['FAIRPATH_QUEUE_URL']}"
    )


def test_no_secret_is_committed() -> None:
    required = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*):\?[^}]+\}")
    for name, service in _app_services().items():
        for variable, source in OPERATOR_SECRETS.items():
            value = _environment(service).get(variable, "")
            names = [m.group("name") for m in required.finditer(value)]
            assert source in names, (
                f"{name}: {variable} must take {source} from the environment as "
                f"${{{source}:?...}} (refusing to start without it), not {value!r}"
            )
    password = _environment(SERVICES["postgres"]).get("POSTGRES_PASSWORD", "")
    assert required.fullmatch(password), f"postgres: POSTGRES_PASSWORD is {password!r}"


def test_start_order() -> None:
    for name in ("postgres", "redis"):
        assert SERVICES[name].get("healthcheck", {}).get("test"), (
            f"{name} needs a healthcheck for `condition: service_healthy` to mean anything"
        )
    assert "pg_isready" in str(SERVICES["postgres"]["healthcheck"]["test"])
    assert "redis-cli" in str(SERVICES["redis"]["healthcheck"]["test"])
    assert "ping" in str(SERVICES["redis"]["healthcheck"]["test"])

    assert _depends_on(SERVICES["migrate"]).get("postgres") == "service_healthy", (
        "migrate must wait for postgres to be healthy"
    )
    assert str(SERVICES["migrate"].get("restart", "no")) == "no", (
        "migrate runs once: with a restart policy it never counts as completed"
    )
    expected = {
        "postgres": "service_healthy",
        "redis": "service_healthy",
        "migrate": "service_completed_successfully",
    }
    for name in [*_api_services(), *_worker_services()]:
        depends = _depends_on(SERVICES[name])
        wrong = {k: depends.get(k) for k, v in expected.items() if depends.get(k) != v}
        assert not wrong, f"{name} should depend on {expected}; differs for {wrong}"


def test_only_the_replicas_are_published() -> None:
    for name in BACKING_SERVICES:
        assert not SERVICES[name].get("ports"), f"{name} must not publish a host port"
    hosts = [host for s in _api_services().values() for host, _ in _published_ports(s)]
    assert all(hosts), f"every replica should publish a fixed host port: {hosts}"
    assert len(hosts) == len(set(hosts)), f"replicas publish the same host port: {hosts}"


def test_the_worker_can_be_scaled() -> None:
    for name, service in _worker_services().items():
        fixed = [key for key in ("container_name", "ports", "hostname") if service.get(key)]
        assert not fixed, f"{name} sets {fixed}: `docker compose up --scale {name}=3` would fail"


def test_health_checks_fit_each_process() -> None:
    for name, service in _api_services().items():
        test = str(service.get("healthcheck", {}).get("test", ""))
        assert "/readyz" in test, f"{name} should report readiness from /readyz: {test!r}"
    for name, service in _worker_services().items():
        # The image's HEALTHCHECK probes port 8000, which a worker does not open.
        assert service.get("healthcheck", {}).get("disable") is True, (
            f"{name} would inherit the image's HTTP health check and be marked unhealthy"
        )


def test_postgres_keeps_its_data_in_a_named_volume() -> None:
    declared = COMPOSE.get("volumes") or {}
    mounts = [str(v).split(":") for v in SERVICES["postgres"].get("volumes") or []]
    named = [m[0] for m in mounts if len(m) > 1 and m[1] == "/var/lib/postgresql/data"]
    assert named and named[0] in declared, (
        f"postgres data should live in a named volume declared under volumes: {mounts}"
    )


def test_readme_documents_it() -> None:
    text = README.read_text(encoding="utf-8")
    assert README_SECTION in text, f"README lacks the section {README_SECTION!r}"
    section = text.split(README_SECTION, 1)[1].split("\n## ", 1)[0]
    for needed in (
        "docker compose up",
        "--scale worker=",
        "POSTGRES_PASSWORD",
        "FAIRPATH_SECRET_KEY",
    ):
        assert needed in section, f"README's compose section should mention {needed!r}"
    undocumented = [name for name in SERVICES if f"`{name}`" not in section]
    assert not undocumented, f"README's compose section does not describe {undocumented}"
