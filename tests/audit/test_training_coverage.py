"""Training coverage and the training-gap finding, from plain data (no database), by hand."""

from __future__ import annotations

from datetime import date

from audit.findings.rules import generate
from audit.remediation.library import remediation_library
from audit.training.coverage import (
    NodeFacts,
    TrainingFacts,
    coverage,
    current_since,
    expires_on,
    is_current,
)
from audit.training.topics import training_topics
from scoring.network import score_network
from scoring.profile import ScoringProfile
from tests.scoring.builders import NOW, graph, reference

TODAY = NOW.date()  # 2026-11-25
TEN_MONTHS_AGO = date(2026, 1, 25)
THIRTY_MONTHS_AGO = date(2024, 5, 25)

NODES = [
    NodeFacts(1, "company"),
    NodeFacts(2, "supplier", migrant_workers=60),
    NodeFacts(3, "supplier", migrant_workers=30),
    NodeFacts(4, "supplier", migrant_workers=0),  # no migrant workers: not required
    NodeFacts(10, "recruiter"),
    NodeFacts(20, "worker_group"),  # cohorts of workers have no staff to train
]


def test_two_suppliers_trained_10_and_30_months_ago_make_50_percent() -> None:
    result = coverage(
        [n for n in NODES if n.kind != "recruiter"],
        {2: TEN_MONTHS_AGO, 3: THIRTY_MONTHS_AGO},
        TODAY,
    )
    shares = result.suppliers_with_migrants
    assert (shares.current, shares.total, shares.share) == (1, 2, 0.5)
    assert result.validity_months == 24
    assert [(g.node_id, g.last_trained) for g in result.gaps()] == [(3, THIRTY_MONTHS_AGO)]
    rows = {row.node_id: row for row in result.nodes}
    assert sorted(rows) == [1, 2, 3, 4]  # the worker group is left out
    assert rows[2].expires == date(2028, 1, 25) and rows[2].current
    assert rows[3].expires == date(2026, 5, 25) and not rows[3].current
    assert not rows[4].required and not rows[1].required
    # No recruiter in the network: the share is unknown, not 0 %.
    assert (result.recruiters.total, result.recruiters.share) == (0, None)


def test_a_recruiter_never_trained_is_a_gap() -> None:
    result = coverage(NODES, {2: TEN_MONTHS_AGO, 3: THIRTY_MONTHS_AGO}, TODAY)
    assert (result.recruiters.current, result.recruiters.total) == (0, 1)
    assert result.recruiters.share == 0.0
    assert [(g.node_id, g.kind, g.last_trained) for g in result.gaps()] == [
        (3, "supplier", THIRTY_MONTHS_AGO),
        (10, "recruiter", None),
    ]


def test_a_36_month_validity_makes_both_suppliers_current() -> None:
    result = coverage(NODES, {2: TEN_MONTHS_AGO, 3: THIRTY_MONTHS_AGO}, TODAY, 36)
    assert result.suppliers_with_migrants.share == 1.0
    assert result.validity_months == 36
    assert [g.node_id for g in result.gaps()] == [10]


def test_validity_is_counted_in_calendar_months() -> None:
    assert expires_on(date(2024, 11, 25), 24) == date(2026, 11, 25)
    assert is_current(date(2024, 11, 26), TODAY, 24)
    assert not is_current(date(2024, 11, 25), TODAY, 24)  # exactly 24 months: expired today
    assert not is_current(date(2026, 11, 26), TODAY, 24)  # not yet delivered
    assert expires_on(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert current_since(TODAY, 24) == date(2024, 11, 26)
    assert current_since(date(2026, 3, 31), 1) == date(2026, 3, 1)


def network() -> object:
    """CO <- S1 (60 migrants) <- DA (licensed); S2 (no migrants)."""
    return graph(
        [
            (1, "company", "GB", {}),
            (2, "supplier", "TH", {"migrant_workers": 60}),
            (3, "supplier", "TH", {}),
            (10, "recruiter", "TH", {"role": "destination_agency", "licence": "TH-1"}),
        ],
        [
            (2, 1, "supplies", {}),
            (3, 1, "supplies", {}),
            (10, 2, "recruits_for", {"origin": "MM", "destination": "TH", "workers": 60}),
        ],
    )


def training_drafts(last: dict[int, tuple[date, int]], months: int = 24) -> dict:
    g = network()
    scores = score_network(g, {}, reference(), ScoringProfile(), NOW)
    found = generate(g, scores, NOW, trainings=TrainingFacts(last=last, validity_months=months))
    return {d.key: d for d in found if d.code == "GAP_NO_CURRENT_TRAINING"}


def test_the_gap_finding_names_the_last_training_or_none() -> None:
    found = training_drafts({2: (THIRTY_MONTHS_AGO, 7)})
    assert sorted(found) == ["gap:training:N10", "gap:training:N2"]
    supplier = found["gap:training:N2"]
    assert (supplier.severity, supplier.node_id, supplier.principle) == (
        "medium",
        2,
        "crest:PILLAR-1",
    )
    assert supplier.title == "No current training: Node 2"
    assert supplier.evidence == {
        "last_training": "2024-05-25",
        "last_training_id": 7,
        "expired_on": "2026-05-25",
        "validity_months": 24,
    }
    assert supplier.chain == [2, 1]
    recruiter = found["gap:training:N10"]
    assert recruiter.evidence == {"last_training": "none recorded", "validity_months": 24}
    assert recruiter.detail.startswith("No training recorded for this recruiter's staff")


def test_current_trainings_raise_no_gap_and_no_facts_raise_nothing() -> None:
    assert training_drafts({2: (TEN_MONTHS_AGO, 1), 10: (TEN_MONTHS_AGO, 2)}) == {}
    assert sorted(training_drafts({2: (THIRTY_MONTHS_AGO, 1)}, months=36)) == ["gap:training:N10"]
    g = network()
    scores = score_network(g, {}, reference(), ScoringProfile(), NOW)
    assert not [d for d in generate(g, scores, NOW) if d.code == "GAP_NO_CURRENT_TRAINING"]


def test_the_gap_is_planned_with_the_crest_training_template() -> None:
    templates = remediation_library().for_finding("GAP_NO_CURRENT_TRAINING", "crest:PILLAR-1")
    assert [t.id for t in templates] == ["train-hr-and-recruiters"]
    assert templates[0].crest_pillar == "PILLAR-1"


def test_every_topic_has_a_label_and_a_source() -> None:
    topics = training_topics()
    assert {"trafficking-forced-labour", "employer-pays", "grievance-handling"} <= set(topics.ids())
    assert "responsible-exit" in topics.ids()
    assert all(t.label and t.sources for t in topics.topics)
