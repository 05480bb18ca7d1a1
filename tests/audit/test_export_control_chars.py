"""Control and bidirectional characters: refused at input, and never able to break an export.

Rows stored before input was checked may still hold a control character; the tests write one
straight into the database, as such a row would be, and expect every file writer to replace it
with U+FFFD rather than fail (openpyxl's ``IllegalCharacterError``) or write malformed XML.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from audit.remediation.models import RemediationAction
from core.errors import InvalidInput
from questionnaires.evidence import check_upload
from supplychain.models import Network, Node
from tests.builders import World, create_network, network_with, node

HIDDEN = "Gulf\x07Processing\x1b"
SHOWN = "Gulf\ufffdProcessing\ufffd"
NODES = [
    node("CO", "company", "Brand", "GB"),
    node("S1", "supplier", "Gulf Processing", "TH", migrant_workers=10, notes="line 1\nline 2"),
    node("R1", "recruiter", "Siam Manpower", "MM", role="sub_agent"),
]
EDGES = [
    {"source": "S1", "target": "CO", "kind": "supplies"},
    {
        "source": "R1",
        "target": "S1",
        "kind": "recruits_for",
        "origin": "MM",
        "destination": "TH",
        "workers": 10,
    },
]
ACTION = {
    "title": "Third-party worker interviews",
    "severity": "high",
    "owner_kind": "company",
    "due_date": "2027-03-31",
}


def _legacy_network(world: World, engine: Engine) -> str:
    """A network whose supplier name and one action title hold control characters, as rows
    stored before input was checked may."""
    network = network_with(world.analyst_a, NODES, EDGES, name="Legacy")
    base = f"/api/v1/networks/{network['id']}"
    created = world.analyst_a.post(f"{base}/plan/actions", json=ACTION)
    assert created.status_code == 201, created.text
    with Session(engine) as session:
        supplier = session.exec(
            select(Node).where(Node.network_id == network["id"], Node.external_id == "S1")
        ).one()
        supplier.name = HIDDEN
        action = session.get(RemediationAction, created.json()["id"])
        assert action is not None
        action.title = "Interviews\x0bat\x01S1"
        stored = session.get(Network, network["id"])
        assert stored is not None
        stored.name = "Legacy\x02"
        session.add_all([supplier, action, stored])
        session.commit()
    return base


def _download(world: World, url: str, **params: str) -> bytes:
    response = world.analyst_a.get(url, params=params)
    assert response.status_code == 200, response.text
    return response.content


def test_network_exports_replace_control_characters(world: World, engine: Engine) -> None:
    base = _legacy_network(world, engine)
    workbook = load_workbook(io.BytesIO(_download(world, f"{base}/export", format="xlsx")))
    names = [row[2] for row in workbook["nodes"].iter_rows(values_only=True)]
    assert SHOWN in names
    graphml = _download(world, f"{base}/export", format="graphml")
    ET.fromstring(graphml)  # well-formed XML
    graph = nx.read_graphml(io.BytesIO(graphml))
    assert graph.nodes["S1"]["name"] == SHOWN
    assert graph.nodes["S1"]["notes"] == "line 1\nline 2"  # free text keeps its line breaks
    archive = _download(world, f"{base}/export", format="csv")
    copy = create_network(world.analyst_a, "copy")
    imported = world.analyst_a.post(
        f"/api/v1/networks/{copy['id']}/import", files={"file": ("n.zip", archive)}
    )
    assert imported.status_code == 200, imported.text  # the sanitised export imports again
    nodes = world.analyst_a.get(f"/api/v1/networks/{copy['id']}/nodes").json()["items"]
    assert SHOWN in {n["name"] for n in nodes}


def test_plan_exports_replace_control_characters(world: World, engine: Engine) -> None:
    base = _legacy_network(world, engine)
    workbook = load_workbook(io.BytesIO(_download(world, f"{base}/plan/export", format="xlsx")))
    titles = [row[4] for row in workbook["actions"].iter_rows(values_only=True)]
    assert "Interviews\ufffdat\ufffdS1" in titles
    assert workbook["metrics"]["A1"].value == "Remediation plan: Legacy\ufffd"
    text = _download(world, f"{base}/plan/export", format="csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert "Interviews\ufffdat\ufffdS1" in {row["title"] for row in rows}


def test_reports_render_with_control_characters(world: World, engine: Engine) -> None:
    base = _legacy_network(world, engine)
    assert _download(world, f"{base}/report.pdf").startswith(b"%PDF")
    assert "Gulf" in _download(world, f"{base}/report.html").decode()
    ET.fromstring(_download(world, f"{base}/heatmaps/corridors.svg"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "Interviews\x07at the vessels", "control characters (found U+0007)"),
        ("title", "Interviews at \u202etxt.exe", "bidirectional-override"),
        ("owner_name", "HR\nmanager", "control characters (found U+000A)"),
        ("description", "bell \x07", "control characters (found U+0007)"),
    ],
)
def test_actions_refuse_hidden_characters(
    world: World, field: str, value: str, message: str
) -> None:
    network = network_with(world.analyst_a, NODES, EDGES)
    base = f"/api/v1/networks/{network['id']}"
    response = world.analyst_a.post(f"{base}/plan/actions", json={**ACTION, field: value})
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert message in errors[0]["message"]
    assert world.analyst_a.get(f"{base}/plan").json()["total"] == 0


def test_action_notes_keep_tabs_and_line_breaks(world: World) -> None:
    network = network_with(world.analyst_a, NODES, EDGES)
    base = f"/api/v1/networks/{network['id']}"
    notes = "Interview plan:\n\t1. vessels\r\n\t2. sheds"
    response = world.analyst_a.post(f"{base}/plan/actions", json={**ACTION, "description": notes})
    assert response.status_code == 201, response.text
    assert response.json()["description"] == notes


@pytest.mark.parametrize("filename", ["invoice\u202efdp.pdf", "report\u2066.pdf"])
def test_evidence_file_names_hiding_characters_are_refused(world: World, filename: str) -> None:
    network = network_with(world.analyst_a, NODES, EDGES)
    base = f"/api/v1/networks/{network['id']}/plan/actions"
    action = world.analyst_a.post(base, json=ACTION).json()
    response = world.analyst_a.post(
        f"{base}/{action['id']}/evidence",
        files={"file": (filename, b"%PDF-1.4\n%%EOF\n", "application/pdf")},
    )
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["file"]
    assert "file name must not contain" in errors[0]["message"]
    assert world.analyst_a.get(f"{base}/{action['id']}/evidence").json() == []


def test_evidence_file_names_with_control_characters_are_refused() -> None:
    """HTTP clients escape them in multipart headers; other callers of the check may not."""
    with pytest.raises(InvalidInput) as refused:
        check_upload(b"%PDF-1.4\n%%EOF\n", "bell\x07.pdf", 1_000_000)
    assert refused.value.errors == [
        {"field": "file", "message": "file name must not contain control characters (found U+0007)"}
    ]
    assert (
        check_upload(b"%PDF-1.4\n%%EOF\n", "\u05d7\u05e9\u05d1\u200f.pdf", 100)[0].extension
        == "pdf"
    )
