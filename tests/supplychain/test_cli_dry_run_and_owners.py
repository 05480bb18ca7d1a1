"""`fairpath import --dry-run` writes nothing, even with --new; a misspelt owner is refused;
a spreadsheet's dates import as the dry run said they would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.cli import main as cli
from core.organisations.models import Organisation
from supplychain.models import Network, Node


def _workbook(path: Path) -> Path:
    """Nodes with an extra column Excel keeps as dates (one at midnight, one with a time)."""
    workbook = openpyxl.Workbook()
    nodes = workbook.active
    assert nodes is not None
    nodes.title = "nodes"
    nodes.append(["id", "kind", "name", "country", "audited_on"])
    nodes.append(["CO-1", "company", "Buyer", "GB", dt.datetime(2026, 5, 1)])
    nodes.append(["SUP-1", "supplier", "Plant", "TH", dt.datetime(2026, 5, 2, 10, 30)])
    edges = workbook.create_sheet("edges")
    edges.append(["source", "target", "kind"])
    edges.append(["SUP-1", "CO-1", "supplies"])
    workbook.save(path)
    return path


def _counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        return (
            len(session.exec(select(Organisation)).all()),
            len(session.exec(select(Network)).all()),
            len(session.exec(select(Node)).all()),
        )


def test_a_dry_run_with_new_writes_nothing(
    database_url: str, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _workbook(tmp_path / "net.xlsx")
    db = ["--database-url", database_url, "--progress", "off"]
    before = _counts(engine)
    assert (
        cli(["import", str(book), "--new", "N", "--organisation", "Northwind", "--dry-run", *db])
        == 0
    )
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "Checked (dry run, nothing written) for a new network 'N' of 'Northwind':"
    )
    assert "2 created" in out
    assert _counts(engine) == before


def test_dates_in_an_extra_column_import_as_the_dry_run_said(
    database_url: str, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _workbook(tmp_path / "net.xlsx")
    db = ["--database-url", database_url, "--progress", "off"]
    assert cli(["import", str(book), "--new", "N", "--organisation", "O", "--dry-run", *db]) == 0
    checked = capsys.readouterr().out.splitlines()[1:]
    assert cli(["import", str(book), "--new", "N", "--organisation", "O", *db]) == 0
    imported = capsys.readouterr()
    assert "Traceback" not in imported.err
    assert imported.out.splitlines()[1:] == checked  # the same counts, line for line
    with Session(engine) as session:
        stored = {n.external_id: n.attributes for n in session.exec(select(Node)).all()}
    assert stored == {
        "CO-1": {"audited_on": "2026-05-01"},
        "SUP-1": {"audited_on": "2026-05-02T10:30:00"},
    }


def test_a_misspelt_organisation_is_refused_with_the_close_names(
    database_url: str, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _workbook(tmp_path / "net.xlsx")
    db = ["--database-url", database_url, "--progress", "off"]
    assert cli(["import", str(book), "--new", "A", "--organisation", "Northwind", *db]) == 0
    capsys.readouterr()
    before = _counts(engine)
    assert cli(["import", str(book), "--new", "B", "--organisation", "Nortwind", *db]) == 1
    err = capsys.readouterr().err
    assert err.strip() == (
        "fairpath: no organisation is called 'Nortwind'; did you mean 'Northwind'? "
        "(--create-organisation creates it as typed)"
    )
    assert _counts(engine) == before
    assert (
        cli(["networks", "create", "--name", "C", "--organisation", "northwind ltd", *db[:2]]) == 1
    )
    assert "did you mean 'Northwind'?" in capsys.readouterr().err
    created = ["--new", "B", "--organisation", "Nortwind", "--create-organisation"]
    assert cli(["import", str(book), *created, *db]) == 0
    with Session(engine) as session:
        names = sorted(o.name for o in session.exec(select(Organisation)).all())
    assert names == ["Northwind", "Nortwind"]
