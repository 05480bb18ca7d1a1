"""``fairpath import``, ``export`` and ``networks`` as an operator uses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from api.cli import main as cli
from tests.supplychain.sample import EDGES, NODES


def _write_csv(path: Path, rows: list[dict]) -> None:
    columns = sorted({key for row in rows for key in row})
    lines = [",".join(columns)]
    for row in rows:
        lines.append(",".join(str(row.get(c, "")) for c in columns))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_import_export_round_trip_from_the_shell(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "network"
    folder.mkdir()
    _write_csv(folder / "nodes.csv", NODES)
    _write_csv(folder / "edges.csv", EDGES)
    db = ["--database-url", database_url]

    assert cli(["import", str(folder), "--new", "Seafood", "--organisation", "Northwind", *db]) == 0
    out = capsys.readouterr().out
    assert "11 created" in out and "9 created" in out

    assert cli(["networks", "list", *db]) == 0
    listing = capsys.readouterr().out
    assert "Seafood" in listing and "Northwind" in listing

    exported = tmp_path / "out.json"
    assert cli(["export", "--network", "1", "--format", "json", "-o", str(exported), *db]) == 0
    document = json.loads(exported.read_text())
    assert {n["id"] for n in document["nodes"]} == {n["id"] for n in NODES}

    # Dry run of the same files: nothing changes.
    assert (
        cli(
            [
                "import",
                str(folder / "nodes.csv"),
                str(folder / "edges.csv"),
                "--network",
                "1",
                "--dry-run",
                *db,
            ]
        )
        == 0
    )
    assert "11 unchanged" in capsys.readouterr().out


def test_import_problems_are_listed_with_rows(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "nodes": [{"id": "X", "kind": "supplier", "name": "X", "country": "Utopia"}],
                "edges": [],
            }
        )
    )
    db = ["--database-url", database_url]
    assert cli(["networks", "create", "--name", "N", "--organisation", "O", *db]) == 0
    assert cli(["import", str(bad), "--network", "1", *db]) == 2
    err = capsys.readouterr().err
    assert "nothing was written" in err
    assert "file nodes, index 0, column country" in err and "unknown country" in err
    assert cli(["import", str(tmp_path / "missing.csv"), "--network", "1", *db]) == 1
    assert cli(["import", str(bad), "--network", "99", *db]) == 2


def test_an_import_from_the_shell_generates_findings_and_refresh_says_they_are_current(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: Engine
) -> None:
    folder = tmp_path / "network"
    folder.mkdir()
    _write_csv(folder / "nodes.csv", NODES)
    _write_csv(folder / "edges.csv", EDGES)
    db = ["--database-url", database_url]
    assert cli(["import", str(folder), "--new", "Seafood", "--organisation", "Northwind", *db]) == 0
    capsys.readouterr()
    with engine.connect() as connection:
        generated = connection.execute(
            text("SELECT count(*) FROM finding WHERE source = 'generated' AND status = 'open'")
        ).scalar_one()
    assert generated > 0  # the import's commit refreshed them; nobody read anything

    assert cli(["findings", "refresh", *db]) == 0
    assert capsys.readouterr().out.strip() == (
        f"Network 1 'Seafood': findings already current; {generated} open"
    )
    assert cli(["findings", "refresh", "--network", "9", *db]) == 1
    assert "Network 9 was not found" in capsys.readouterr().err
