"""The shipped reference data: sourced figures with their quality, fallbacks that say what they
are, and unknown kept unknown. Expected values are read off the CSV rows by hand."""

from __future__ import annotations

import csv
import json

import pytest

from api.cli import main as cli
from scoring.facts import NodeFacts
from scoring.inherent import corridor_component, cost_risk, country_component, sector_component
from scoring.profile import ScoringProfile
from scoring.reference import DATA_DIR, LISTED, NOT_COVERED, UNLISTED, shipped_reference
from tests.builders import Actor, World, create_network, edge, network_with, node, node_ids

PROFILE = ScoringProfile()
DATA = shipped_reference()


def supplier(country: str, sector: str) -> NodeFacts:
    return NodeFacts(
        id=1, external_id="S1", kind="supplier", name="S", country=country, sector=sector
    )


def test_every_row_of_every_file_names_its_source_and_quality() -> None:
    checks = {
        "country_risk.csv": ("tip_source", "tip_source_quality"),
        "corridor_costs.csv": ("source_title", "source_quality"),
        "goods_forced_labour.csv": ("source_title", "source_quality"),
        "fx_rates.csv": ("source_title", "source_quality"),
    }
    for name, (source, quality) in checks.items():
        with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), 2):
                if row.get("currency") == "USD":
                    continue  # the identity rate needs no source
                assert row[source].strip(), f"{name}:{number} has no source"
                assert row[quality] in ("primary", "mirror", "secondary"), f"{name}:{number}"


def test_country_figures_carry_the_quality_of_their_source() -> None:
    # country_risk.csv, TH: TIP tier 2 (2025) read from news reports (secondary), GSI 2023
    # prevalence 5.7 and vulnerability 46 read from Walk Free's own pages (primary).
    component = country_component(["TH"], DATA, PROFILE)
    by_label = {f.label: f for f in component.figures}
    tip = by_label["Thailand: US TIP Report tier"]
    assert (tip.value, tip.year, tip.quality) == ("2", 2025, "secondary")
    gsi = by_label["Thailand: GSI prevalence per 1,000"]
    assert (gsi.value, gsi.year, gsi.quality) == ("5.7", 2023, "primary")


def test_a_local_currency_survey_figure_converts_at_its_survey_years_rate() -> None:
    # corridor_costs.csv: BD->MY, BDT 404,000 (2020 survey); fx_rates.csv: BDT 84.8714 per USD
    # in 2020 (World Bank annual average). 404,000 / 84.8714 = USD 4,760.14.
    row = next(c for c in DATA.costs("BD", "MY") if c.local_currency == "BDT")
    pair = cost_risk(row, DATA, PROFILE)
    assert pair is not None
    risk, figure = pair
    assert figure.value == ("BDT 404,000 = USD 4,760 at 84.8714 per USD (2020 annual_average)")
    assert risk == 100.0  # above the USD 3,000 ceiling
    assert figure.level == "corridor survey"


def test_a_rate_missing_for_the_year_falls_back_to_the_nearest_year_and_says_so() -> None:
    # fx_rates.csv has no TWD rate for 2016: 2015 and 2017 are equally near, the later wins
    # (not the newest year, 2023, which would misstate a 2016 fee).
    rate = DATA.rate("TWD", 2016)
    assert rate is not None and rate.year == 2017
    assert DATA.rate("TWD", 2019).year == 2019  # type: ignore[union-attr]
    assert DATA.rate("XXX", 2020) is None


def test_a_corridor_without_a_survey_uses_the_origins_sdg_1071_value_and_says_so() -> None:
    # No VN->TW row; VN's national SDG 10.7.1 value is 7.4 months of earnings (2021, primary),
    # above the 6-month ceiling, so the corridor risk is 100.
    assert DATA.costs("VN", "TW") == []
    component = corridor_component([("VN", "TW")], DATA, PROFILE)
    assert component.risk == 100.0
    [figure] = component.figures
    assert (figure.value, figure.year, figure.level, figure.quality) == (
        "7.4 months of earnings",
        2021,
        "origin average",
        "primary",
    )
    assert "origin average: no survey of this corridor" in component.reason


def test_a_corridor_with_its_own_survey_does_not_use_the_origin_average() -> None:
    # VN->MY: a 2015 survey of 339 workers, 3.9 months of earnings -> 3.9 / 6 = 65.
    component = corridor_component([("VN", "MY")], DATA, PROFILE)
    assert component.risk == 65.0
    assert {f.level for f in component.figures} == {"corridor survey"}


def test_no_figure_at_any_level_is_unknown_not_zero() -> None:
    component = corridor_component([("NP", "TW")], DATA, PROFILE)
    assert component.risk is None
    assert "no cost figures for NP->TW" in component.reason


@pytest.mark.parametrize(
    ("country", "sector", "coverage"),
    [
        ("MY", "manufacturing", LISTED),  # rubber gloves
        ("MY", "construction", NOT_COVERED),  # the list names bricks, not construction work
        ("TH", "domestic_work", NOT_COVERED),
        ("TH", "hospitality", NOT_COVERED),
        ("SG", "electronics", NOT_COVERED),  # the list does not report on Singapore
        ("MY", "mining", UNLISTED),  # Malaysia reported on, no mined good listed
    ],
)
def test_goods_list_coverage(country: str, sector: str, coverage: str) -> None:
    assert DATA.goods_coverage(country, sector) == coverage


def test_a_sector_the_list_cannot_speak_for_is_unknown_not_low() -> None:
    construction = sector_component(supplier("MY", "construction"), DATA, PROFILE)
    assert construction.risk is None
    assert construction.reason == "unknown: the US DoL list names goods, not construction work"
    singapore = sector_component(supplier("SG", "electronics"), DATA, PROFILE)
    assert singapore.risk is None
    assert singapore.reason == "unknown: the US DoL list does not report on SG"
    mining = sector_component(supplier("MY", "mining"), DATA, PROFILE)
    assert mining.risk == PROFILE.sector_unlisted_risk


def test_a_listed_good_cites_its_list_edition_and_quality() -> None:
    gloves = sector_component(supplier("MY", "manufacturing"), DATA, PROFILE)
    assert gloves.risk == PROFILE.sector_forced_labour_risk
    [figure] = gloves.figures
    assert figure.label == "US DoL list: Rubber Gloves (MY)"
    assert figure.value == "forced labour"
    assert figure.quality == "primary"
    assert figure.year in (2022, 2024)


def test_datasets_list_coverage_quality_and_gaps_through_the_api(
    world: World, anonymous: Actor
) -> None:
    assert anonymous.get("/api/v1/reference/datasets").status_code == 401
    response = world.viewer_a.get("/api/v1/reference/datasets")
    assert response.status_code == 200, response.text
    body = response.json()
    by_key = {d["key"]: d for d in body["datasets"]}
    assert list(by_key) == ["countries", "corridor_costs", "goods", "fx_rates"]
    countries = by_key["countries"]
    # country_risk.csv: 49 countries, all with a TIP tier, 45 with GSI prevalence.
    assert (countries["rows"], countries["coverage"]["with_gsi_prevalence"]) == (49, 45)
    assert "no GSI prevalence for BN, BT, FJ, MV" in countries["gaps"]
    goods = by_key["goods"]
    assert goods["editions"] == ["edition 2022", "edition 2024"]
    assert goods["coverage"]["countries"] == 79
    assert by_key["corridor_costs"]["coverage"]["origin_values"] == 2  # LA and VN
    assert any("TWD 2016, 2024" in gap for gap in by_key["fx_rates"]["gaps"])
    assert body["overrides"] == []
    world.analyst_a.put(
        "/api/v1/reference/countries/TH", json={"tip_tier": "3", "source": "Our own review"}
    )
    overridden = world.viewer_a.get("/api/v1/reference/datasets").json()
    assert overridden["overrides"] == ["TH: tip_tier from the organisation's own ratings"]
    assert world.viewer_b.get("/api/v1/reference/datasets").json()["overrides"] == []


def test_fairpath_reference_prints_the_datasets(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["reference"]) == 0
    out = capsys.readouterr().out
    assert "US Department of Labor List of Goods" in out
    assert "gap:      6 corridors have estimates only: ID->MY, ID->SG" in out
    assert cli(["reference", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [d["key"] for d in listing] == ["countries", "corridor_costs", "goods", "fx_rates"]


def test_unknown_risk_reads_insufficient_data_through_the_api(world: World) -> None:
    # Antarctica (AQ) is in no reference file: the supplier there, with no sector and no
    # assessment, has no evidence of risk; the company in GB still has its own country figure.
    network = network_with(
        world.analyst_a,
        [node("CO", "company", country="GB"), node("S-AQ", "supplier", country="AQ")],
        [edge("S-AQ", "CO", "supplies")],
    )
    ids = node_ids(world.analyst_a, network["id"])
    page = world.viewer_a.get(f"/api/v1/networks/{network['id']}/scores").json()
    bands = {row["external_id"]: row["band"] for row in page["items"]}
    assert bands["S-AQ"] == "insufficient_data"
    coverage = {row["external_id"]: row["coverage"] for row in page["items"]}
    assert coverage == {"S-AQ": "1 of 3 components known", "CO": "1 of 2 components known"}
    assert page["bands"]["insufficient_data"] == 1
    filtered = world.viewer_a.get(
        f"/api/v1/networks/{network['id']}/scores", params={"band": "insufficient_data"}
    ).json()
    assert [row["external_id"] for row in filtered["items"]] == ["S-AQ"]
    explained = world.viewer_a.get(
        f"/api/v1/networks/{network['id']}/nodes/{ids['S-AQ']}/score"
    ).json()
    assert explained["coverage"] == "1 of 3 components known"
    assert explained["unknown"] == ["country", "sector"]
    assert explained["node"]["band"] == "insufficient_data"


def test_sector_risk_is_matched_by_product_and_falls_back_to_the_sector_only_without_one() -> None:
    def estate(country: str, sector: str, products: str | None) -> NodeFacts:
        return NodeFacts(
            id=1,
            external_id="E",
            kind="supplier",
            name="E",
            country=country,
            sector=sector,
            products=products,
        )

    # goods_forced_labour.csv lists Palm Fruit and Rubber Gloves (forced labour) for MY.
    latex = sector_component(estate("MY", "agriculture", "latex"), DATA, PROFILE)
    assert latex.risk is None  # not palm fruit: the list names no latex
    assert latex.reason == "unknown: the US DoL list names none of: latex"
    gloves = sector_component(estate("MY", "manufacturing", "rubber gloves"), DATA, PROFILE)
    assert gloves.risk == PROFILE.sector_forced_labour_risk
    assert [f.label for f in gloves.figures] == ["US DoL list: Rubber Gloves (MY)"]
    assert gloves.reason == "product match: Rubber Gloves (MY)"
    thai_gloves = sector_component(estate("TH", "manufacturing", "rubber gloves"), DATA, PROFILE)
    assert thai_gloves.risk == PROFILE.sector_unlisted_risk  # listed elsewhere, not for TH
    coarse = sector_component(estate("MY", "agriculture", None), DATA, PROFILE)
    assert coarse.reason.startswith("sector-level match:")
    assert [f.label for f in coarse.figures] == ["US DoL list: Palm Fruit (MY)"]


def test_products_import_edit_and_change_the_score_through_the_api(world: World) -> None:
    network = create_network(world.analyst_a)
    nodes_csv = (
        "id,kind,name,country,sector,products,hs_codes\n"
        "CO,company,Buyer,GB,,,\n"
        "EST,supplier,Estate,MY,agriculture,latex,4001.10\n"
    )
    edges_csv = "source,target,kind\nEST,CO,supplies\n"
    url = f"/api/v1/networks/{network['id']}"
    imported = world.analyst_a.post(
        f"{url}/import",
        files={"nodes": ("n.csv", nodes_csv.encode()), "edges": ("e.csv", edges_csv.encode())},
    )
    assert imported.status_code == 200, imported.text
    ids = node_ids(world.analyst_a, network["id"])
    stored = world.viewer_a.get(f"{url}/nodes/{ids['EST']}").json()
    assert (stored["products"], stored["hs_codes"]) == ("latex", "400110")
    sector = next(
        c
        for c in world.viewer_a.get(f"{url}/nodes/{ids['EST']}/score").json()["components"]
        if c["name"] == "sector"
    )
    assert sector["risk"] is None
    changed = world.analyst_a.patch(
        f"{url}/nodes/{ids['EST']}", json={"products": "palm fruit, latex"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["products"] == "palm fruit; latex"
    sector = next(
        c
        for c in world.viewer_a.get(f"{url}/nodes/{ids['EST']}/score").json()["components"]
        if c["name"] == "sector"
    )
    assert sector["risk"] == PROFILE.sector_forced_labour_risk
    assert sector["reason"] == "product match: Palm Fruit (MY)"
    refused = world.analyst_a.patch(f"{url}/nodes/{ids['EST']}", json={"hs_codes": "40x1"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "hs_codes"
