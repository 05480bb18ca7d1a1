"""A report of a very large network carries its longest lists up to a limit and says where
the rest are, instead of an 860 MB JSON document."""

from __future__ import annotations

import pytest

from audit.reports import data as report_data
from tests.builders import World
from tests.scoring.builders import best_answers
from tests.scoring.test_scores_api import FEES_PAID, RECRUITER_SAQ, answered, seafood


def test_the_report_carries_the_most_urgent_rows_and_points_to_the_rest(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyst = world.analyst_a
    network_id, ids = seafood(analyst)
    answered(analyst, network_id, ids["MM-SA-HPAAN"], best_answers(RECRUITER_SAQ, **FEES_PAID))
    base = f"/api/v1/networks/{network_id}"
    assert analyst.post(f"{base}/plan").status_code == 200
    full = analyst.get(f"{base}/report.json").json()
    actions, open_findings = full["plan_metrics"]["total"], full["findings_total"]
    assert len(full["plan"]) == actions > 3 and full["scorecards_total"] == len(full["scorecards"])

    limits = {"findings": 2, "scorecards": 4, "plan": 3, "gaps": 5}
    monkeypatch.setitem(report_data.TOP, "gaps", 3)
    monkeypatch.setattr(report_data, "LIMITS", limits)
    cut = analyst.get(f"{base}/report.json").json()
    assert cut["plan_metrics"]["total"] == actions and cut["findings_total"] == open_findings
    # The same most urgent actions, in the same order, as the whole plan starts with.
    assert [a["id"] for a in cut["plan"]] == [a["id"] for a in full["plan"][:3]]
    for severity, items in cut["findings"].items():
        assert len(items) == min(2, open_findings[severity])
        assert [f["id"] for f in items] == [f["id"] for f in full["findings"][severity][:2]]
    assert len(cut["scorecards"]) == 4 and cut["scorecards_total"] == full["scorecards_total"]
    gaps = sum(full["network"]["gap_counts"].values())
    assert len(full["gaps"]) == gaps > 5 and cut["gaps"] == full["gaps"][:5]
    assert cut["network"]["gap_counts"] == full["network"]["gap_counts"]

    html = analyst.get(f"{base}/report.html").text
    assert f"The most urgent 3 of {actions:,} actions are listed" in html
    assert f"/api/v1/networks/{network_id}/plan/export" in html
    high = open_findings["high"]
    assert f"{high - 12} more high findings in the findings list" in html
    assert "the JSON report carries the riskiest 4" in html
    assert f"{gaps - 3} more gaps in the gaps API" in html
    assert analyst.get(f"{base}/report.pdf").status_code == 200
