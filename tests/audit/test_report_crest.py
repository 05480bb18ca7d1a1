"""The audit report's CREST part: one section per pillar (training, orientation, mapping and
ethical recruitment), each with its coverage figures, findings and plan actions, in the JSON,
HTML and PDF reports alike; unknown printed as unknown, never as 0 %."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from html import unescape

import pytest
from fastapi import FastAPI
from pypdf import PdfReader

from api.deps import clock
from audit.reports.crest import NO_TRAINING, finding_pillar, percent
from tests.builders import Actor, World, edge, network_with, node, node_ids

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TEN_MONTHS_AGO = "2026-01-25"
THIRTY_MONTHS_AGO = "2024-05-25"
GAP = "GAP_NO_CURRENT_TRAINING"


@pytest.fixture
def frozen(app: FastAPI) -> dict[str, datetime]:
    """The request clock, and the one the findings refresh after each write uses."""
    moment = {"now": NOW}
    app.dependency_overrides[clock] = lambda: moment["now"]
    return moment


def two_suppliers(actor: Actor) -> tuple[int, dict[str, int]]:
    network = network_with(
        actor,
        [
            node("CO", "company", country="GB"),
            node("S1", "supplier", "Ocean Plant", migrant_workers=60),
            node("S2", "supplier", "Harbour Plant", migrant_workers=30),
        ],
        [edge("S1", "CO", "supplies"), edge("S2", "CO", "supplies")],
        name="Two plants",
    )
    return network["id"], node_ids(actor, network["id"])


def training(node_id: int, delivered_on: str) -> dict[str, object]:
    return {
        "node_id": node_id,
        "delivered_on": delivered_on,
        "provider": "IOM CREST",
        "topics": ["trafficking-forced-labour", "employer-pays"],
        "participants": 12,
    }


def trained_10_and_30_months_ago(actor: Actor) -> tuple[int, str]:
    network_id, ids = two_suppliers(actor)
    base = f"/api/v1/networks/{network_id}"
    for node_key, day in (("S1", TEN_MONTHS_AGO), ("S2", THIRTY_MONTHS_AGO)):
        made = actor.post(f"{base}/trainings", json=training(ids[node_key], day))
        assert made.status_code == 201, made.text
    assert actor.post(f"{base}/plan").status_code in (200, 201)
    return network_id, base


def test_pillar_1_counts_the_supplier_trained_10_months_ago_and_lists_the_gap(
    world: World, frozen: dict
) -> None:
    analyst = world.analyst_a
    _network_id, base = trained_10_and_30_months_ago(analyst)
    report = analyst.get(f"{base}/report.json").json()
    crest = report["crest"]
    pillar = crest["training"]
    assert pillar["pillar"] == "PILLAR-1" and pillar["title"].startswith("Pillar 1")
    figures = pillar["coverage"]
    # S1 (trained 10 months ago) is current, S2 (30 months ago, 24-month validity) is not.
    assert figures["suppliers_with_migrants"] == {"count": 1, "total": 2, "share": 0.5}
    assert figures["recruiters"] == {"count": 0, "total": 0, "share": None}
    assert (figures["required"], figures["current"], figures["expired"], figures["never"]) == (
        2,
        1,
        1,
        0,
    )
    assert figures["trainings_recorded"] == 2 and figures["validity_months"] == 24
    assert [n["name"] for n in figures["needs_training"]] == ["Harbour Plant"]
    assert figures["needs_training"][0]["expired_on"] == "2026-05-25"
    assert "1 of 2 suppliers with migrant workers (50%)" in pillar["summary"][0]
    # No recruiter: their share is unknown, never 0 %.
    assert "0 of 0 recruiters (unknown)" in pillar["summary"][0]

    gap = [f for f in report["findings"]["medium"] if f["code"] == GAP]
    assert len(gap) == 1 and gap[0]["node_name"] == "Harbour Plant"
    assert pillar["finding_ids"] == [gap[0]["id"]]
    assert gap[0]["id"] not in crest["mapping"]["finding_ids"]
    assert gap[0]["id"] not in crest["orientation"]["finding_ids"]
    assert pillar["findings_open"]["medium"] == 1
    assert sum(crest["mapping"]["findings_open"].values()) == sum(
        report["findings_total"].values()
    ) - sum(pillar["findings_open"].values()) - sum(crest["orientation"]["findings_open"].values())
    # The plan's training action (CREST pillar 1 template) is pillar 1's, and only pillar 1's.
    training_actions = [a["id"] for a in report["plan"] if a["crest_pillar"] == "PILLAR-1"]
    assert training_actions and set(training_actions) <= set(pillar["action_ids"])
    assert not set(training_actions) & set(crest["mapping"]["action_ids"])
    every = pillar["action_ids"] + crest["orientation"]["action_ids"]
    assert sorted(every + crest["mapping"]["action_ids"]) == sorted(a["id"] for a in report["plan"])


def test_the_html_report_has_the_three_pillars_in_order(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    _network_id, base = trained_10_and_30_months_ago(analyst)
    page = unescape(analyst.get(f"{base}/report.html").text)
    headings = [
        page.index("Pillar 1: Training of suppliers' and recruiters' staff"),
        page.index("Pillar 2: Worker orientation"),
        page.index("Pillar 3: Labour supply chain mapping and ethical recruitment"),
    ]
    assert headings == sorted(headings)
    pillar_1 = page[headings[0] : headings[1]]
    assert "50%" in pillar_1 and "Harbour Plant" in pillar_1
    assert "No current training: Harbour Plant" in pillar_1  # its finding
    # The recruiters' share has no total: printed unknown, not 0 %.
    row = r"Recruiters</td>\s*<td[^>]*>0</td>\s*<td[^>]*>0</td>\s*<td[^>]*>unknown</td>"
    assert re.search(row, pillar_1), pillar_1


def test_the_pdf_report_prints_pillar_1_and_its_share(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    _network_id, base = trained_10_and_30_months_ago(analyst)
    response = analyst.get(f"{base}/report.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = re.sub(r"\s+", " ", text)
    assert "Pillar 1" in text and "50%" in text
    # The body's section (the contents page names the pillars too): 50 % of suppliers, and
    # the recruiters' share unknown (there are none), not 0 %.
    start = text.rindex("Pillar 1: Training")
    pillar_1 = text[start : text.index("Pillar 2", start)]
    assert "50%" in pillar_1 and "unknown" in pillar_1 and "Harbour Plant" in pillar_1
    assert not re.search(r"(?<![0-9])0%", pillar_1)


def test_no_training_recorded_is_said_honestly(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, _ids = two_suppliers(analyst)
    base = f"/api/v1/networks/{network_id}"
    pillar = analyst.get(f"{base}/report.json").json()["crest"]["training"]
    assert pillar["summary"] == [NO_TRAINING]
    assert pillar["coverage"]["suppliers_with_migrants"] == {"count": 0, "total": 2, "share": 0.0}
    assert pillar["coverage"]["never"] == 2 and pillar["findings_open"]["medium"] == 2
    assert NO_TRAINING in unescape(analyst.get(f"{base}/report.html").text)


def test_findings_are_placed_by_code_and_principle() -> None:
    assert finding_pillar(GAP, "crest:PILLAR-1") == "PILLAR-1"
    assert finding_pillar("GAP_NO_PREDEPARTURE_ORIENTATION", None) == "PILLAR-2"
    assert finding_pillar("GAP_ORIENTATION_LANGUAGE", None) == "PILLAR-2"
    assert finding_pillar("MANUAL", "crest:PILLAR-2") == "PILLAR-2"
    assert finding_pillar("RF_WORKER_PAID_FEES", "iris:1") == "PILLAR-3"
    assert finding_pillar("GAP_UNMAPPED_RECRUITMENT", "crest:PILLAR-3") == "PILLAR-3"
    assert (percent(0.5), percent(0.0), percent(None), percent(0.75)) == (
        "50%",
        "0%",
        "unknown",
        "75%",
    )


ORIENTATION_CODES = {
    "GAP_NO_PREDEPARTURE_ORIENTATION",
    "GAP_NO_POSTARRIVAL_ORIENTATION",
    "GAP_ORIENTATION_LANGUAGE",
}


def nepal_to_malaysia(actor: Actor) -> str:
    """1,200 workers recruited NP > MY; 900 of them oriented before departure, none after."""
    network = network_with(
        actor,
        [
            node("CO", "company", "Brand", country="GB"),
            node("S1", "supplier", "Klang Gloves", country="MY", migrant_workers=1200),
            node("R1", "recruiter", "Kathmandu Agency", country="NP", role="origin_agency"),
        ],
        [
            edge("S1", "CO", "supplies"),
            edge("R1", "S1", "recruits_for", origin="NP", destination="MY", workers=1200),
        ],
        name="Gloves",
    )
    ids = node_ids(actor, network["id"])
    base = f"/api/v1/networks/{network['id']}"
    made = actor.post(
        f"{base}/orientation-sessions",
        json={
            "stage": "pre_departure",
            "origin": "NP",
            "destination": "MY",
            "recruiter_node_id": ids["R1"],
            "delivered_on": "2026-10-01",
            "language": "ne",
            "topics": ["contract-terms", "fees-and-rights", "grievance-channels"],
            "deliverer": "recruiter",
            "workers_reached": 900,
        },
    )
    assert made.status_code == 201, made.text
    return base


def test_pillar_2_shows_75_and_0_percent_for_the_nepal_malaysia_corridor(
    world: World, frozen: dict
) -> None:
    analyst = world.analyst_a
    base = nepal_to_malaysia(analyst)
    report = analyst.get(f"{base}/report.json").json()
    pillar = report["crest"]["orientation"]
    assert pillar["pillar"] == "PILLAR-2" and pillar["coverage"]["recorded"] is True
    [corridor] = pillar["coverage"]["corridors"]
    assert corridor["name"] == "NP > MY" and corridor["recruited"] == 1200
    assert corridor["pre_departure"] == {"oriented": 900, "share": 0.75}
    assert corridor["post_arrival"] == {"oriented": 0, "share": 0.0}  # a known 0, not unknown
    assert pillar["summary"][0] == (
        "Of 1,200 workers recruited on corridors with a worker count, 900 were oriented "
        "before departure (75%) and 0 after arrival (0%)."
    )
    # Orientation findings, whatever the rules raise, belong to pillar 2 and nowhere else.
    every = [f for items in report["findings"].values() for f in items]
    oriented = {f["id"] for f in every if f["code"] in ORIENTATION_CODES}
    assert oriented <= set(pillar["finding_ids"])
    assert not oriented & set(report["crest"]["mapping"]["finding_ids"])

    page = unescape(analyst.get(f"{base}/report.html").text)
    start = page.index("Pillar 2: Worker orientation")
    pillar_2 = page[start : page.index("Pillar 3: Labour supply chain", start)]
    cells = r"NP > MY</td>\s*<td[^>]*>1,200</td>\s*<td[^>]*>900</td>\s*<td[^>]*>75%</td>"
    assert re.search(cells, pillar_2), pillar_2
    assert re.search(r"<td[^>]*>0</td>\s*<td[^>]*>0%</td>", pillar_2)

    pdf = analyst.get(f"{base}/report.pdf")
    reader = PdfReader(io.BytesIO(pdf.content))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    body = text[text.rindex("Pillar 2: Worker orientation") :]
    assert "NP > MY 1,200 900 75% 0 0%" in body


def test_no_orientation_recorded_is_said_honestly(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, _ids = two_suppliers(analyst)
    pillar = analyst.get(f"/api/v1/networks/{network_id}/report.json").json()["crest"]
    summary = pillar["orientation"]["summary"]
    assert summary == [
        "No recruitment corridor is mapped: there are no recruited workers to orient yet."
    ]
    recruited = network_with(
        analyst,
        [
            node("CO", "company", country="GB"),
            node("S1", "supplier", country="MY", migrant_workers=50),
            node("R1", "recruiter", country="NP", role="origin_agency"),
            node("R2", "recruiter", country="BD", role="origin_agency"),
        ],
        [
            edge("S1", "CO", "supplies"),
            edge("R1", "S1", "recruits_for", origin="NP", destination="MY", workers=50),
            edge("R2", "S1", "recruits_for", origin="BD", destination="MY"),  # count unknown
        ],
        name="Unoriented",
    )
    base = f"/api/v1/networks/{recruited['id']}"
    crest = analyst.get(f"{base}/report.json").json()["crest"]["orientation"]
    assert crest["coverage"]["recorded"] is False
    assert crest["summary"][0].startswith("No orientation recorded yet")
    unknown = next(c for c in crest["coverage"]["corridors"] if c["origin"] == "BD")
    assert unknown["recruited"] is None and unknown["pre_departure"]["share"] is None
    page = unescape(analyst.get(f"{base}/report.html").text)
    assert re.search(
        r"BD > MY</td>\s*<td[^>]*>unknown</td>\s*<td[^>]*>0</td>\s*<td[^>]*>unknown", page
    )
