"""A migrant worker's monthly wage on employers and worker groups: validated like any column,
and used to put survey costs in months of earnings into money."""

from __future__ import annotations

import io

from tests.builders import World, network_with, node_ids
from tests.supplychain.sample import EDGES, NODES


def test_wages_through_the_api_and_the_import(world: World) -> None:
    network = network_with(world.analyst_a, NODES, EDGES)
    base = f"/api/v1/networks/{network['id']}/nodes"
    ids = node_ids(world.analyst_a, network["id"])
    saved = world.analyst_a.patch(
        f"{base}/{ids['S1']}", json={"monthly_wage": 11000, "wage_currency": "thb"}
    )
    assert saved.status_code == 200, saved.text
    assert (saved.json()["monthly_wage"], saved.json()["wage_currency"]) == (11000.0, "THB")
    for body, field in (
        ({"monthly_wage": 11000}, "wage_currency"),
        ({"wage_currency": "THB", "monthly_wage": None}, "monthly_wage"),
        ({"monthly_wage": 11000, "wage_currency": "baht"}, "wage_currency"),
        ({"monthly_wage": -5, "wage_currency": "THB"}, "monthly_wage"),
    ):
        refused = world.analyst_a.patch(f"{base}/{ids['S2']}", json=body)
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["field"].endswith(field), refused.json()
    recruiter = world.analyst_a.patch(
        f"{base}/{ids['DA']}", json={"monthly_wage": 500, "wage_currency": "USD"}
    )
    assert recruiter.status_code == 422
    assert "not a recruiter" in recruiter.json()["errors"][0]["message"]
    # The import reads the same columns, thousands separators included, and names the row.
    nodes = (
        "id,kind,name,country,monthly_wage,wage_currency\n"
        'CO,company,Brand,GB,,\nS1,supplier,Factory,TH,"11,000",THB\nS2,supplier,Mill,TH,9000,\n'
    )
    imported = world.analyst_a.post(
        f"/api/v1/networks/{network['id']}/import",
        params={"dry_run": "true"},
        files={"nodes": ("nodes.csv", io.BytesIO(nodes.encode()), "text/csv")},
    )
    assert imported.status_code == 422, imported.text
    problem = imported.json()["errors"][0]
    assert problem["column"] == "wage_currency" and problem["row"] == 4
