"""``fairpath trainings import`` and ``fairpath trainings coverage`` on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from api.cli import main as cli
from tests.audit.test_training_api import two_suppliers
from tests.builders import World


def test_import_dry_run_then_import_then_coverage(
    world: World, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    analyst = world.analyst_a
    network_id, _ids = two_suppliers(analyst)
    today = datetime.now(UTC).date()
    recent, old = today - timedelta(days=300), today - timedelta(days=900)
    sheet = tmp_path / "attendance.csv"
    sheet.write_text(
        "node,date,provider,topics,participants\n"
        f"S1,{recent.isoformat()},IOM CREST,employer-pays,18\n"
        f"S2,{old.isoformat()},IOM CREST,employer-pays,9\n",
        encoding="utf-8",
    )
    where = ["--database-url", database_url]
    base = f"/api/v1/networks/{network_id}/trainings"
    command = ["trainings", "import", str(network_id), str(sheet)]
    assert cli([*command, "--dry-run", *where]) == 0
    assert "Dry run: 2 trainings are valid" in capsys.readouterr().out
    assert analyst.get(base).json()["total"] == 0
    assert cli([*command, *where]) == 0
    assert "Imported 2 trainings" in capsys.readouterr().out
    assert analyst.get(base).json()["total"] == 2

    assert cli(["trainings", "coverage", str(network_id), *where]) == 0
    out = capsys.readouterr().out
    assert "Suppliers with migrant workers: 1 of 2 current (50%)" in out
    assert "Recruiters: none in the network" in out
    assert f"(last: {old.isoformat()})" in out and "Without current training (1):" in out
    assert cli(["trainings", "coverage", str(network_id), "--validity-months", "36", *where]) == 0
    assert "Suppliers with migrant workers: 2 of 2 current (100%)" in capsys.readouterr().out

    # The refresh after the import's commit raised the gap finding for S2 alone.
    found = analyst.get(
        f"/api/v1/networks/{network_id}/findings",
        params={"code": "GAP_NO_CURRENT_TRAINING", "status": "open"},
    ).json()["items"]
    assert [f["key"] for f in found] == ["gap:training:S2"]


def test_a_bad_sheet_is_refused_with_its_rows(
    world: World, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    network_id, _ids = two_suppliers(world.analyst_a)
    sheet = tmp_path / "bad.csv"
    sheet.write_text(
        "node,date,provider,topics,participants\nNOPE,2026-01-25,IOM CREST,employer-pays,1\n",
        encoding="utf-8",
    )
    code = cli(["trainings", "import", str(network_id), str(sheet), "--database-url", database_url])
    assert code == 2
    err = capsys.readouterr().err
    assert "Training import: 1 problem found; nothing was written" in err
    assert "row 2, column node" in err
    assert world.analyst_a.get(f"/api/v1/networks/{network_id}/trainings").json()["total"] == 0
