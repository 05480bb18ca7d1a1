"""``fairpath orientation import`` and ``fairpath orientation coverage`` on a real database
(an illustrative NP -> MY network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from api.cli import main as cli
from tests.audit.test_orientation_api import nepal_malaysia
from tests.builders import World


def test_import_dry_run_then_import_then_coverage(
    world: World, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    analyst = world.analyst_a
    network_id, _ids = nepal_malaysia(analyst)
    sheet = tmp_path / "sessions.csv"
    day = (datetime.now(UTC).date() - timedelta(days=30)).isoformat()  # the CLI's real clock
    sheet.write_text(
        "stage,origin,destination,date,language,topics,deliverer,workers\n"
        f"pre_departure,NP,MY,{day},ne,contract-terms;fees-and-rights,recruiter,500\n"
        f"pre_departure,NP,MY,{day},ne,documents,iom,400\n",
        encoding="utf-8",
    )
    where = ["--database-url", database_url]
    base = f"/api/v1/networks/{network_id}/orientation-sessions"
    command = ["orientation", "import", str(network_id), str(sheet)]
    assert cli([*command, "--dry-run", *where]) == 0
    assert "Dry run: 2 orientation sessions are valid" in capsys.readouterr().out
    assert analyst.get(base).json()["total"] == 0
    assert cli([*command, *where]) == 0
    assert "Imported 2 orientation sessions" in capsys.readouterr().out
    assert analyst.get(base).json()["total"] == 2

    assert cli(["orientation", "coverage", str(network_id), *where]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
    assert lines["NP-MY"] == ["NP-MY", "1,200", "900", "75%", "0", "0%"]
    assert "Glove factory" in out

    # The refresh after the import's commit left only the post-arrival gap.
    found = analyst.get(
        f"/api/v1/networks/{network_id}/findings", params={"status": "open", "limit": 500}
    ).json()["items"]
    assert [f["key"] for f in found if f["principle"] == "crest:PILLAR-2"] == [
        "gap:orientation:post_arrival:NP-MY"
    ]


def test_a_bad_sheet_is_refused_with_its_rows(
    world: World, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    network_id, _ids = nepal_malaysia(world.analyst_a)
    sheet = tmp_path / "bad.csv"
    sheet.write_text(
        "stage,origin,destination,date,language,topics,deliverer,workers\n"
        "pre_departure,NP,MY,2026-01-10,ne,contract-terms,cousin,5\n",
        encoding="utf-8",
    )
    command = ["orientation", "import", str(network_id), str(sheet)]
    assert cli([*command, "--database-url", database_url]) == 2
    err = capsys.readouterr().err
    assert "Orientation import: 1 problem found; nothing was written" in err
    assert "row 2, column deliverer" in err
    total = world.analyst_a.get(f"/api/v1/networks/{network_id}/orientation-sessions").json()
    assert total["total"] == 0
