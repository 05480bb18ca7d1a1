"""``fairpath campaigns create``, ``list``, ``show`` and ``run`` on a real database: the API's
JSON body from a file, the links printed when email is off, one pass of the sending for cron,
and a bad file refused in one line per problem, without a traceback, writing nothing."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from api.cli import main as cli
from api.settings import Settings, get_settings
from tests.builders import Actor, World, edge, network_with, node

pytestmark = pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
DUE = date.today() + timedelta(days=20)


@pytest.fixture
def environment(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path
) -> Iterator[pytest.MonkeyPatch]:
    """The CLI's settings as the app's: the same secret (so the same links), email off."""
    monkeypatch.setenv("FAIRPATH_SECRET_KEY", settings.signing_key())
    monkeypatch.setenv("FAIRPATH_DATA_DIR", str(tmp_path / "cli-data"))
    for name in ("FAIRPATH_SMTP_HOST", "FAIRPATH_PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def recruiters(actor: Actor) -> int:
    network = network_with(
        actor,
        [
            node("CO", "company", "Brand", country="GB"),
            node("R1", "recruiter", "Agency One", country="NP", role="origin_agency"),
            node("R2", "recruiter", "Agency Two", country="BD", role="origin_agency"),
        ],
        [edge("R1", "CO", "recruits_for"), edge("R2", "CO", "recruits_for")],
        name="Recruiters",
    )
    return int(network["id"])


def body(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Recruiters 2027",
        "selection": {"kinds": ["recruiter"]},
        "due_date": DUE.isoformat(),
        "contact_name": "Compliance team",
        "contact_email": "compliance@brand.example",
        "contacts": [{"node": "R1", "name": "Sita", "email": "sita@one.example", "language": "ne"}],
        **fields,
    }


def closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused at once (a transient error)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_create_list_show_and_run(
    world: World,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    environment: pytest.MonkeyPatch,
) -> None:
    analyst = world.analyst_a
    network_id = recruiters(analyst)
    where = ["--database-url", database_url]
    assert cli(["campaigns", "list", str(network_id), *where]) == 0
    out = capsys.readouterr().out
    assert "0 campaigns, email off" in out and "fairpath campaigns create" in out

    file = tmp_path / "campaign.json"
    file.write_text(json.dumps(body()), encoding="utf-8")
    assert cli(["campaigns", "create", str(network_id), "--file", str(file), *where]) == 0
    out = capsys.readouterr().out
    assert f"in network {network_id}: 2 nodes asked, due {DUE.isoformat()}." in out
    assert "Email is off: no SMTP server is configured" in out
    listed = analyst.get(f"/api/v1/networks/{network_id}/campaigns").json()["items"]
    assert [c["name"] for c in listed] == ["Recruiters 2027"]
    campaign_id = listed[0]["id"]
    api = analyst.get(f"/api/v1/networks/{network_id}/campaigns/{campaign_id}/targets").json()
    links = {t["node_external_id"]: t["invitation_url"] for t in api["items"]}
    assert all(link in out for link in links.values())  # the links the API gives

    assert cli(["campaigns", "list", str(network_id), *where]) == 0
    out = capsys.readouterr().out
    assert "1 campaign, email off" in out
    assert f"{campaign_id}  active  Recruiters 2027" in out and "2 nodes: 2 not sent" in out

    show = ["campaigns", "show", str(network_id), str(campaign_id), *where]
    assert cli(show) == 0
    out = capsys.readouterr().out
    assert "Reminders:      -7, -3, -1, +2 days from the due date" in out
    assert "Targets (2):" in out and "Sita <sita@one.example> (ne)" in out
    assert "not sent" in out and "last email: none" in out
    assert links["R1"] in out and links["R2"] in out
    assert cli([*show, "--status", "accepted"]) == 0
    assert "Targets (0, accepted):" in capsys.readouterr().out

    # Email off: nothing is owed (no backlog once email is switched on), nothing is sent.
    assert cli(["campaigns", "run", *where]) == 0
    out = capsys.readouterr().out
    assert "Ran every active campaign: 0 emails newly due, 0 rounds started." in out
    assert "Email is off" in out and "nothing was sent" in out

    # Email on, the server unreachable: the try is kept and retried later.
    environment.setenv("FAIRPATH_SMTP_HOST", "127.0.0.1")
    environment.setenv("FAIRPATH_SMTP_PORT", str(closed_port()))
    environment.setenv("FAIRPATH_SMTP_SECURITY", "none")
    get_settings.cache_clear()
    assert cli(["campaigns", "run", "--campaign", str(campaign_id), *where]) == 0
    out = capsys.readouterr().out
    assert f"Ran campaign {campaign_id}: 1 email newly due" in out
    assert "Email is on: 0 sent, 1 to retry later, 0 failed." in out
    assert cli(show) == 0
    out = capsys.readouterr().out
    # With email on, only the node without an email address has its link printed.
    assert (
        "Email is on: links are printed for nodes without" in out
        and links["R1"] not in out
        and links["R2"] in out
    )
    assert "last email: invitation retrying, 1 try (ConnectionRefusedError" in out
    assert cli(["campaigns", "run", "--campaign", "999", *where]) == 1
    assert "Campaign 999 was not found" in capsys.readouterr().err


def test_a_bad_file_is_refused_in_one_line_per_problem(
    world: World,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    environment: pytest.MonkeyPatch,
) -> None:
    network_id = recruiters(world.analyst_a)
    file = tmp_path / "campaign.json"
    command = ["campaigns", "create", str(network_id), "--file", str(file)]
    where = ["--database-url", database_url]

    file.write_text('{"name": "Recruiters",\n  "due_date": }', encoding="utf-8")
    assert cli([*command, *where]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"fairpath: {file}: not valid JSON: Expecting value at line 2, column 15"
    ]

    file.write_text(json.dumps(body(due_date="soon", colour="blue", contact_email="x")))
    assert cli([*command, *where]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines()[0] == f"fairpath: {file}: 3 problems; nothing was created"
    assert [line.split(":", 1)[0] for line in err.splitlines()[1:]] == [
        "  - field due_date",
        "  - field contact_email",
        "  - field colour",
    ]

    # Refused by the service (no node matches): nothing is written either.
    file.write_text(json.dumps(body(selection={"countries": ["MY"]}, contacts=[])))
    assert cli([*command, *where]) == 2
    err = capsys.readouterr().err
    assert "The selection matches no node of this network" in err and "Traceback" not in err
    listed = world.analyst_a.get(f"/api/v1/networks/{network_id}/campaigns").json()
    assert listed["total"] == 0
    assert (
        cli(["campaigns", "create", str(network_id), "--file", str(tmp_path / "no.json"), *where])
        == 1
    )
    assert "no.json: No such file or directory" in capsys.readouterr().err
