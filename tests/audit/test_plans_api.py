"""Findings, the remediation plan and reimbursement through HTTP, on the seafood example."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi import FastAPI
from openpyxl import load_workbook

from api.deps import clock
from audit.remediation.library import remediation_library
from questionnaires.library import library_document
from tests.builders import World
from tests.scoring.builders import best_answers
from tests.scoring.test_scores_api import FEES_PAID, RECRUITER_SAQ, answered, seafood

SUPPLIER_SAQ = library_document("supplier-saq", 1)
TODAY = date(2026, 11, 25)
OWNER_NAMES = {
    "company": "Tidewell Foods Ltd",
    "supplier": "Mahachai Ocean Foods Co., Ltd.",
}


@pytest.fixture
def frozen(app: FastAPI) -> dict[str, datetime]:
    """A clock the test moves by hand."""
    moment = {"now": datetime(2026, 11, 25, 9, 0, tzinfo=UTC)}
    app.dependency_overrides[clock] = lambda: moment["now"]
    return moment


def scenario(world: World) -> tuple[int, dict[str, int]]:
    """A sub-agent whose workers paid fees, and a supplier holding passports."""
    analyst = world.analyst_a
    network_id, ids = seafood(analyst)
    answered(analyst, network_id, ids["MM-SA-HPAAN"], best_answers(RECRUITER_SAQ, **FEES_PAID))
    answered(
        analyst, network_id, ids["TH-SKN-OCEAN"], best_answers(SUPPLIER_SAQ, DOC_01="company_holds")
    )
    return network_id, ids


def test_findings_plan_and_reimbursement_end_to_end(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, ids = scenario(world)
    base = f"/api/v1/networks/{network_id}"

    critical = analyst.get(f"{base}/findings", params={"severity": "critical"}).json()
    by_code = {f["code"]: f for f in critical["items"]}
    assert set(by_code) == {"RF_WORKER_PAID_FEES", "RF_DOCUMENT_RETENTION"}
    fees = by_code["RF_WORKER_PAID_FEES"]
    assert fees["node_id"] == ids["MM-SA-HPAAN"]
    assert fees["evidence"]["question_id"] == "FEE_02" and fees["evidence"]["answer"] == "yes"
    assert [s["external_id"] for s in fees["chain"]] == [
        "MM-SA-HPAAN",
        "MM-OA-SHWEPYI",
        "TH-DA-GOLDENWAVE",
        "TH-SKN-OCEAN",
        "CO-TIDEWELL",
    ]
    passports = by_code["RF_DOCUMENT_RETENTION"]
    assert passports["node_id"] == ids["TH-SKN-OCEAN"]
    assert passports["evidence"]["answer"] == "company_holds"
    holds = SUPPLIER_SAQ.question("DOC_01").option("company_holds")
    assert holds is not None and passports["detail"].endswith(f": {holds.label}")
    every = analyst.get(f"{base}/findings", params={"limit": 500}).json()
    codes = {f["code"] for f in every["items"]}
    assert {
        "GAP_UNASSESSED_RECRUITER",
        "GAP_UNMAPPED_RECRUITMENT",
        "GAP_UNLICENSED_RECRUITER",
    } <= codes
    assert every["counts"]["open"]["critical"] == 2

    built = analyst.post(f"{base}/plan", params={"limit": 500})
    assert built.status_code == 200, built.text
    plan = built.json()
    assert plan["created"] == plan["total"] > 0
    library = remediation_library()
    for finding, owner_if_node in (
        (fees, "Hpa-An village sub-agent"),
        (passports, "Mahachai Ocean Foods Co., Ltd."),
    ):
        actions = [a for a in plan["items"] if a["finding_id"] == finding["id"]]
        templates = library.for_finding(finding["code"], finding["principle"])
        assert sorted(a["template_id"] for a in actions) == sorted(t.id for t in templates)
        for action in actions:
            template = next(t for t in templates if t.id == action["template_id"])
            assert (
                action["due_date"]
                == (TODAY + timedelta(days=template.deadline_days.critical)).isoformat()
            )
            expected_owner = {
                "node": owner_if_node,
                "recruiter": "Hpa-An village sub-agent",
                **OWNER_NAMES,
            }[template.owner]
            if not (template.owner == "recruiter" and finding is passports):
                assert action["owner_name"] == expected_owner
            assert action["crest_pillar"] == template.crest_pillar
            assert action["status"] == "open" and action["severity"] == "critical"
    again = analyst.post(f"{base}/plan").json()
    assert again["created"] == 0 and again["total"] == plan["total"]

    money = analyst.get(f"{base}/reimbursement").json()
    # MMK 1,500,000 x 150 workers = MMK 225,000,000 at the sourced 2,100 MMK per USD (2023, the
    # newest year in fx_rates.csv) = USD 107,142.86, not the respondent's USD 715 x 150; split
    # by the placing agency's edges 900:120 = 94,537.82 and 12,605.04.
    assert money["reported_usd"] == 107142.86
    assert money["by_recruiter"] == [
        {
            "id": ids["MM-SA-HPAAN"],
            "name": "Hpa-An village sub-agent",
            "origin": None,
            "destination": None,
            "owed_usd": 107142.86,
            "unknown_workers": 0,
        }
    ]
    suppliers = {s["id"]: s["owed_usd"] for s in money["by_supplier"]}
    assert suppliers == {ids["TH-SKN-OCEAN"]: 94537.82, ids["TH-SKN-SHED-BP"]: 12605.04}
    assert (
        money["by_corridor"][0]["origin"] == "MM"
        and money["by_corridor"][0]["owed_usd"] == 107142.86
    )
    assert money["reported_local"] == {"MMK": 225000000.0}
    assert money["reported_complete"] is True
    line = next(x for x in money["lines"] if x["basis"] == "reported")
    assert (line["per_worker_usd"], line["workers"], line["currency"]) == (714.29, 150, "MMK")
    assert (line["rate"], line["rate_year"], line["year_paid"]) == (2100, 2023, 2026)
    assert line["respondent_usd"] == 715 and line["usd_flagged"] is False
    assert line["arithmetic"].startswith("MMK 1,500,000 x 150 workers = MMK 225,000,000; / 2100")
    # Thai corridors have no survey cost in money (some in months of earnings, but no wage is
    # known): their placements are unknown, never USD 0, and each says why.
    assert money["estimated_usd"] == 0.0 and money["estimated_complete"] is False
    estimates = [x for x in money["lines"] if x["basis"] == "estimate"]
    assert estimates and all(x["owed_usd"] is None and x["missing"] for x in estimates)
    reasons = {x["missing"][0].split(" (")[0].split(":")[0] for x in estimates}
    assert reasons == {
        "a months-of-earnings figure",
        "no survey cost figure for MM->TH",
        "the placement's origin or destination is unknown",
    }
    assert money["unknown_estimate_workers"] == sum(x["workers"] for x in estimates)


def test_findings_update_instead_of_duplicating_and_resolve_by_evidence(
    world: World, frozen: dict
) -> None:
    analyst = world.analyst_a
    network_id, ids = scenario(world)
    base = f"/api/v1/networks/{network_id}"
    first = analyst.get(f"{base}/findings", params={"code": "RF_WORKER_PAID_FEES"}).json()
    finding_id = first["items"][0]["id"]
    # Re-scoring (another assessment accepted) keeps the same finding.
    answered(analyst, network_id, ids["TH-DA-GOLDENWAVE"], best_answers(RECRUITER_SAQ))
    second = analyst.get(f"{base}/findings", params={"code": "RF_WORKER_PAID_FEES"}).json()
    assert [f["id"] for f in second["items"]] == [finding_id]
    # A newer accepted assessment without fees: the finding is resolved, not deleted.
    assessment = answered(analyst, network_id, ids["MM-SA-HPAAN"], best_answers(RECRUITER_SAQ))
    resolved = analyst.get(f"{base}/findings/{finding_id}").json()
    assert resolved["status"] == "resolved"
    assert resolved["status_reason"].startswith(f"resolved by evidence: assessment {assessment}")
    assert resolved["resolved_at"] is not None
    open_now = analyst.get(
        f"{base}/findings", params={"code": "RF_WORKER_PAID_FEES", "status": "open"}
    ).json()
    assert open_now["total"] == 0


def test_dismissing_needs_a_reason_and_survives_rescoring(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, ids = scenario(world)
    base = f"/api/v1/networks/{network_id}"
    gap = analyst.get(f"{base}/findings", params={"code": "GAP_UNMAPPED_RECRUITMENT"}).json()
    finding = gap["items"][0]
    url = f"{base}/findings/{finding['id']}/status"
    silent = analyst.post(url, json={"status": "dismissed"})
    assert silent.status_code == 422 and silent.json()["errors"][0]["field"] == "reason"
    assert world.viewer_a.post(url, json={"status": "dismissed", "reason": "x"}).status_code == 403
    dismissed = analyst.post(
        url, json={"status": "dismissed", "reason": "Direct hires only, verified on site visit"}
    )
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    answered(analyst, network_id, ids["TH-DA-GOLDENWAVE"], best_answers(RECRUITER_SAQ))
    still = analyst.get(f"{base}/findings/{finding['id']}").json()
    assert still["status"] == "dismissed"
    assert still["status_reason"] == "Direct hires only, verified on site visit"
    assert analyst.post(url, json={"status": "resolved", "reason": "x"}).status_code == 409
    reopened = analyst.post(url, json={"status": "open"})
    assert reopened.json()["status"] == "open"


def test_manual_findings(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, ids = seafood(analyst)
    base = f"/api/v1/networks/{network_id}"
    created = analyst.post(
        f"{base}/findings",
        json={
            "code": "WORKER_INTERVIEW",
            "severity": "high",
            "node_id": ids["TH-RNG-PIER"],
            "title": "Crew report wages paid only at the end of the trip",
            "principle": "ilo-fl:FL8",
            "evidence": {"interviews": 12},
        },
    )
    assert created.status_code == 201, created.text
    finding = created.json()
    assert (finding["source"], finding["status"], finding["node_name"]) == (
        "manual",
        "open",
        "Ranong Fish Landing & Trading Co., Ltd.",
    )
    assert finding["principle_label"].startswith("ILO FL8")
    bad = analyst.post(f"{base}/findings", json={"severity": "urgent", "title": "short"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"severity"}
    other = analyst.post(
        f"{base}/findings", json={"severity": "low", "title": "Elsewhere", "node_id": 999999}
    )
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "node_id"
    url = f"{base}/findings/{finding['id']}/status"
    resolved = analyst.post(url, json={"status": "resolved", "reason": "Wages now monthly"})
    assert resolved.json()["status"] == "resolved"
    assert world.analyst_b.get(f"{base}/findings/{finding['id']}").status_code == 404


def test_action_lifecycle_per_role_and_overdue(world: World, frozen: dict) -> None:
    analyst, admin, viewer = world.analyst_a, world.admin, world.viewer_a
    network_id, _ids = scenario(world)
    base = f"/api/v1/networks/{network_id}"
    plan = analyst.post(f"{base}/plan", params={"limit": 500}).json()
    action = next(
        a
        for a in plan["items"]
        if a["severity"] == "critical" and a["template_id"] != "reimburse-recruitment-fees"
    )
    url = f"{base}/plan/actions/{action['id']}"

    def move(actor: object, status: str, comment: str = "") -> int:
        return actor.post(
            f"{url}/status",
            json={
                "status": status,  # type: ignore[attr-defined]
                "comment": comment,
            },
        ).status_code

    assert move(viewer, "in_progress") == 403
    assert move(analyst, "verified") == 409  # open -> verified is no move at all
    assert move(analyst, "in_progress") == 200
    assert move(analyst, "completed", "Receipts collected") == 200
    assert move(analyst, "verified", "checked") == 403  # only programme staff verify
    assert move(admin, "verified") == 422  # needs evidence or a description of the check
    assert move(admin, "verified", "Interviewed 20 workers; all confirm repayment") == 200
    assert move(admin, "cancelled", "no longer needed") == 409
    history = analyst.get(f"{url}/history").json()
    assert [(e["kind"], e["to_status"]) for e in history] == [
        ("created", None),
        ("status", "in_progress"),
        ("status", "completed"),
        ("status", "verified"),
    ]
    assert history[-1]["user_id"] == admin.user_id

    other = next(a for a in plan["items"] if a["id"] != action["id"])
    other_url = f"{base}/plan/actions/{other['id']}"
    assert analyst.post(f"{other_url}/status", json={"status": "cancelled"}).status_code == 422
    # Overdue only once the clock passes the due date, and only while not finished.
    due = date.fromisoformat(other["due_date"])
    assert analyst.get(f"{base}/plan", params={"overdue": True}).json()["total"] == 0
    frozen["now"] = datetime.combine(due + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    late = analyst.get(f"{base}/plan", params={"overdue": True, "limit": 500}).json()
    assert other["id"] in [a["id"] for a in late["items"]]
    assert action["id"] not in [a["id"] for a in late["items"]]  # verified is never overdue
    assert late["metrics"]["overdue"] == late["total"]
    assert late["metrics"]["by_status"]["verified"] == 1
    assert late["metrics"]["by_severity"]["critical"]["verified"] == 1

    edited = analyst.patch(
        other_url,
        json={
            "due_date": (due + timedelta(days=30)).isoformat(),
            "owner_name": "HR manager, Mahachai Ocean Foods",
        },
    )
    assert edited.status_code == 200 and edited.json()["overdue"] is False
    assert (
        analyst.post(f"{other_url}/comments", json={"comment": "Met HR on 3 Dec"}).status_code
        == 201
    )
    kinds = [e["kind"] for e in analyst.get(f"{other_url}/history").json()]
    assert kinds[-2:] == ["edited", "comment"]


def test_action_evidence_and_manual_actions(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, ids = seafood(analyst)
    base = f"/api/v1/networks/{network_id}"
    created = analyst.post(
        f"{base}/plan/actions",
        json={
            "title": "Third-party worker interviews on the Ranong vessels",
            "severity": "high",
            "owner_kind": "company",
            "owner_node_id": ids["CO-TIDEWELL"],
            "due_date": "2027-03-31",
        },
    )
    assert created.status_code == 201, created.text
    action = created.json()
    assert action["owner_name"] == "Tidewell Foods Ltd" and action["finding_id"] is None
    upload = analyst.post(
        f"{base}/plan/actions/{action['id']}/evidence",
        files={"file": ("receipts.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
    )
    assert upload.status_code == 201, upload.text
    listed = analyst.get(f"{base}/plan/actions/{action['id']}/evidence").json()
    assert [e["filename"] for e in listed] == ["receipts.pdf"]
    download = analyst.get(f"{base}/plan/actions/{action['id']}/evidence/{listed[0]['id']}")
    assert download.content == b"%PDF-1.4\n%%EOF\n"
    bad = analyst.post(
        f"{base}/plan/actions",
        json={"title": "x", "severity": "high", "owner_kind": "bank", "due_date": "soon"},
    )
    assert {e["field"] for e in bad.json()["errors"]} == {"title", "owner_kind", "due_date"}


def test_plan_exports(world: World, frozen: dict) -> None:
    analyst = world.analyst_a
    network_id, _ids = scenario(world)
    base = f"/api/v1/networks/{network_id}"
    plan = analyst.post(f"{base}/plan", params={"limit": 500}).json()
    exported = analyst.get(f"{base}/plan/export", params={"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) == plan["total"]
    assert {r["severity"] for r in rows} >= {"critical", "high"}
    by_id = {int(r["id"]): r for r in rows}
    for action in plan["items"]:
        exported_row = by_id[action["id"]]
        assert exported_row["finding_ids"] == "; ".join(str(f) for f in action["finding_ids"])
        assert exported_row["node_name"] == (action["node_name"] or "")
    workbook = load_workbook(
        io.BytesIO(analyst.get(f"{base}/plan/export", params={"format": "xlsx"}).content)
    )
    assert workbook.sheetnames == ["actions", "metrics"]
    assert workbook["actions"].max_row == plan["total"] + 1
    assert workbook["metrics"]["B2"].value == plan["total"]
    assert analyst.get(f"{base}/plan/export", params={"format": "pdf"}).status_code == 422
