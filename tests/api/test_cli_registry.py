"""``fairpath registry import-licences``, ``list``, ``show`` and ``match`` on a real database:
the illustrative licence list imported with its column mapping (and every network checked
against it at once), the registry listed and one entry shown with its history, a network
matched, and a bad list refused in one line per problem, without a traceback, writing nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.cli import main as cli
from api.settings import Settings, get_settings
from tests.builders import World, edge, network_with, node

pytestmark = pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "licence-lists" / "np-licences-illustrative.csv"
MAPPING = {"licence_number": "Licence No.", "name": "Agency", "status": "Status",
           "valid_until": "Expiry"}  # fmt: skip
AUTHORITY = "Department of Foreign Employment (Nepal)"
HIMAL = {
    "legal_name": "Himal Manpower Pvt. Ltd.",
    "country": "NP",
    "licence_number": "DoFE-1234/067",
    "licensing_authority": AUTHORITY,
    "licence_status": "valid",
    "iris_status": "pledged",
    "reason": "Illustrative entry for the tests (not a real agency)",
}


@pytest.fixture
def environment(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path
) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("FAIRPATH_SECRET_KEY", settings.signing_key())
    monkeypatch.setenv("FAIRPATH_DATA_DIR", str(tmp_path / "cli-data"))
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _import(file: Path, *extra: str) -> list[str]:
    return [
        "registry", "import-licences", str(file), "--authority", AUTHORITY, "--country", "NP",
        "--published-on", "2026-11-20", "--source", "examples/licence-lists (illustrative)",
        *extra,
    ]  # fmt: skip


def test_import_list_show_and_match(
    world: World,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    environment: pytest.MonkeyPatch,
) -> None:
    analyst = world.analyst_a
    network = network_with(
        analyst,
        [
            node("C", "company", "Buyer", country="GB"),
            node(
                "R1",
                "recruiter",
                "Himal Manpower",
                country="NP",
                role="origin_agency",
                licence="dofe 1234 067",
            ),
            node("R2", "recruiter", "Himal Man Power", country="NP", role="sub_agent"),
        ],
        [edge("R1", "C", "recruits_for"), edge("R2", "C", "recruits_for")],
        name="Recruiters",
    )
    network_id = network["id"]
    where = ["--database-url", database_url]
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(MAPPING), encoding="utf-8")

    assert cli([*_import(SAMPLE, "--illustrative", "--mapping", str(mapping)), *where]) == 0
    out = capsys.readouterr().out
    assert f"{AUTHORITY} (NP), published 2026-11-20 (an illustrative sample" in out
    assert ": 3 licences" in out and "Checked against it: 1 network" in out
    # The findings were refreshed after the commit: the expired licence is a finding.
    findings = analyst.get(f"/api/v1/networks/{network_id}/findings", params={"limit": 500})
    codes = {f["code"] for f in findings.json()["items"] if f["code"].startswith("LICENCE_")}
    assert "LICENCE_EXPIRED" in codes
    listed = world.admin.get("/api/v1/registry/licence-lists").json()
    assert [(x["entries"], x["illustrative"]) for x in listed] == [(3, True)]

    assert cli(["registry", "list", *where]) == 0
    assert "0 registry entries" in capsys.readouterr().out
    entry = world.admin.post("/api/v1/registry/recruiters", json=HIMAL).json()
    world.admin.patch(
        f"/api/v1/registry/recruiters/{entry['id']}",
        json={"licence_status": "expired", "reason": "Authority list of 2026-11-20"},
    )
    assert cli(["registry", "list", "--country", "np", "--q", "himal", *where]) == 0
    out = capsys.readouterr().out
    assert "1 registry entry" in out and "Himal Manpower Pvt. Ltd." in out
    assert "licence DoFE-1234/067: expired" in out and "IRIS pledged" in out
    assert cli(["registry", "list", "--country", "BD", *where]) == 0
    assert "0 registry entries" in capsys.readouterr().out

    assert cli(["registry", "show", str(entry["id"]), *where]) == 0
    out = capsys.readouterr().out
    assert f"Registry entry {entry['id']}: Himal Manpower Pvt. Ltd. (NP), version 2" in out
    assert f"Authority:      {AUTHORITY}" in out
    assert "History (2, oldest first):" in out
    assert "updated by admin.1@example.org: Authority list of 2026-11-20" in out
    assert "      licence_status: valid -> expired" in out
    assert cli(["registry", "show", "999", *where]) == 2
    assert "Registry entry 999 was not found" in capsys.readouterr().err

    assert cli(["registry", "match", str(network_id), *where]) == 0
    out = capsys.readouterr().out
    assert "2 recruiters, 1 linked (0 newly, by licence), 1 not linked, 1 name suggestion" in out
    assert f"/dashboard/networks/{network_id}/registry" in out
    assert cli(["registry", "match", "999", *where]) == 1
    assert "Network 999 was not found" in capsys.readouterr().err


def test_a_bad_list_is_refused_in_one_line_per_problem(
    world: World,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    environment: pytest.MonkeyPatch,
) -> None:
    where = ["--database-url", database_url]
    bad = tmp_path / "bad.csv"
    bad.write_text("Licence No.,Status\nA-1,Active\nA-1,Active\n,Lapsed\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"licence_number": "Licence No.", "status": "Status"}))

    assert cli([*_import(bad, "--mapping", str(mapping)), *where]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines[0].startswith("fairpath: bad.csv: the licence list was not imported: 3 problems")
    assert [line.split(": ", 1)[0] for line in lines[1:]] == [
        "  - file bad.csv, row 3, column licence_no., value A-1",
        "  - file bad.csv, row 4, column licence_no.",
        "  - file bad.csv, row 4, column status, value Lapsed",
    ]
    assert world.admin.get("/api/v1/registry/licence-lists").json() == []  # nothing written

    mapping.write_text('{"licence_number": }', encoding="utf-8")
    assert cli([*_import(bad, "--mapping", str(mapping)), *where]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"fairpath: {mapping}: not valid JSON: Expecting value at line 1, column 20"
    ]
    mapping.write_text('{"colour": "Colour"}', encoding="utf-8")
    assert cli([*_import(bad, "--mapping", str(mapping)), *where]) == 2
    assert "Unknown column in the mapping: colour" in capsys.readouterr().err
    assert cli([*_import(tmp_path / "none.csv"), *where]) == 1
    assert "none.csv: No such file or directory" in capsys.readouterr().err
