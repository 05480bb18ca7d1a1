"""The report's CREST part: per pillar its coverage figures, its open findings and its plan
actions, read once for the report data (``audit.reports.data``) and laid out by the renderers.

Pillar 1 (training of suppliers' and recruiters' staff) and pillar 2 (workers' pre-departure
and post-arrival orientation) have their own findings; pillar 3 (labour supply chain mapping
and ethical recruitment) holds every other finding, which is what the report was about before
it had pillars. Unknown stays unknown: a share without a known total is null, printed
"unknown", and a pillar with nothing recorded says so rather than showing 0 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import networkx as nx
from sqlalchemy import func
from sqlmodel import Session, col, select

from audit.findings.models import Finding, FindingStatus
from audit.findings.schemas import FindingRead
from audit.orientation import service as orientation_service
from audit.orientation.coverage import StageShare
from audit.remediation.schemas import ActionRead
from audit.reports.schemas import (
    CorridorOrientationRow,
    CrestPillarCode,
    CrestRead,
    CrestShare,
    EmployerOrientationRow,
    KeyFigures,
    MappingFigures,
    MappingPillar,
    OrientationFigures,
    OrientationPillar,
    StageShareRead,
    TrainingFigures,
    TrainingNeedRow,
    TrainingPillar,
    percent,
)
from audit.training import facts as training_facts
from audit.training import service as training_service
from audit.training.coverage import NodeFacts, Share, coverage
from audit.training.models import Training
from core import numbers
from core.severity import SEVERITIES, Severity
from questionnaires.models import Assessment, AssessmentStatus
from supplychain.models import Network, Node

TRAINING_CODES = frozenset({"GAP_NO_CURRENT_TRAINING"})
ORIENTATION_CODES = frozenset(
    {
        "GAP_NO_PREDEPARTURE_ORIENTATION",
        "GAP_NO_POSTARRIVAL_ORIENTATION",
        "GAP_ORIENTATION_LANGUAGE",
    }
)
TITLES: dict[CrestPillarCode, str] = {
    "PILLAR-1": "Pillar 1: Training of suppliers' and recruiters' staff",
    "PILLAR-2": "Pillar 2: Worker orientation, pre-departure and post-arrival",
    "PILLAR-3": "Pillar 3: Labour supply chain mapping and ethical recruitment",
}
# Rows of "who needs training", and of employers' orientation, the report carries; the
# coverage APIs list every node.
NEEDS_TRAINING_ROWS = 500
EMPLOYER_ROWS = 500
NO_TRAINING = (
    "No training recorded yet: every supplier with migrant workers and every recruiter is a gap."
)


def finding_pillar(code: str, principle: str | None) -> CrestPillarCode:
    """Training gaps are pillar 1, orientation gaps pillar 2 (by code, or a manual finding
    tagged with the pillar's principle); everything else is pillar 3."""
    if code in TRAINING_CODES or principle == "crest:PILLAR-1":
        return "PILLAR-1"
    if code in ORIENTATION_CODES or principle == "crest:PILLAR-2":
        return "PILLAR-2"
    return "PILLAR-3"


def _share(share: Share) -> CrestShare:
    return CrestShare(count=share.current, total=share.total, share=share.share)


def open_counts(session: Session, network: Network) -> dict[CrestPillarCode, dict[Severity, int]]:
    """Open findings per pillar and severity, counted in the database (one grouped query), so
    the counts hold however many findings the report carries."""
    rows = session.exec(
        select(Finding.code, Finding.principle, Finding.severity, func.count())
        .where(Finding.network_id == network.id, Finding.status == FindingStatus.open)
        .group_by(col(Finding.code), col(Finding.principle), col(Finding.severity))
    ).all()
    counts: dict[CrestPillarCode, dict[Severity, int]] = {
        pillar: dict.fromkeys(SEVERITIES, 0) for pillar in TITLES
    }
    for code, principle, severity, number in rows:
        by_severity = counts[finding_pillar(code, principle)]
        if severity in by_severity:
            by_severity[severity] += int(number)
    return counts


def placed_findings(
    findings: Mapping[Severity, Sequence[FindingRead]],
) -> dict[CrestPillarCode, list[int]]:
    """The ids of the report's findings by pillar, most severe first."""
    placed: dict[CrestPillarCode, list[int]] = {pillar: [] for pillar in TITLES}
    for severity in SEVERITIES:
        for finding in findings.get(severity, []):
            placed[finding_pillar(finding.code, finding.principle)].append(finding.id)
    return placed


def placed_actions(
    plan: Iterable[ActionRead], finding_pillars: Mapping[int, CrestPillarCode]
) -> dict[CrestPillarCode, list[int]]:
    """The ids of the plan's actions by pillar: the pillar of the library template they came
    from, else that of a finding they address, else pillar 3 (an action written by hand)."""
    placed: dict[CrestPillarCode, list[int]] = {pillar: [] for pillar in TITLES}
    for action in plan:
        pillar: CrestPillarCode = "PILLAR-3"
        if action.crest_pillar in TITLES:
            pillar = action.crest_pillar
        else:
            found = [finding_pillars[i] for i in action.finding_ids if i in finding_pillars]
            pillar = min(found) if found else "PILLAR-3"
        placed[pillar].append(action.id)
    return placed


def training_figures(
    session: Session, network: Network, graph: nx.MultiDiGraph, today: date
) -> TrainingFigures:
    """Coverage on the report's date from the scored graph's nodes (no node rows reloaded)
    and each node's latest training (one aggregate query), at the service's validity."""
    validity = training_facts.validity_months()
    nodes = [
        NodeFacts(node_id, str(data.get("kind")), data.get("migrant_workers"))
        for node_id, data in graph.nodes(data=True)
    ]
    last = {
        k: v
        for k, v in training_service.latest_by_node(session, network).items()
        if v <= today  # a training dated after the report's date does not count yet
    }
    result = coverage(nodes, last, today, validity)
    recorded = session.exec(
        select(func.count()).select_from(Training).where(Training.network_id == network.id)
    ).one()
    gaps = sorted(result.gaps(), key=lambda n: (n.last_trained is not None, n.node_id))
    required = [n for n in result.nodes if n.required]
    return TrainingFigures(
        validity_months=validity,
        trainings_recorded=int(recorded),
        suppliers_with_migrants=_share(result.suppliers_with_migrants),
        recruiters=_share(result.recruiters),
        required=len(required),
        current=sum(n.current for n in required),
        expired=sum(1 for n in gaps if n.last_trained is not None),
        never=sum(1 for n in gaps if n.last_trained is None),
        needs_training=[
            TrainingNeedRow(
                node_id=n.node_id,
                name=str(graph.nodes[n.node_id].get("name", n.node_id)),
                kind=n.kind,
                last_trained=n.last_trained.isoformat() if n.last_trained else None,
                expired_on=n.expires.isoformat() if n.expires else None,
            )
            for n in gaps[:NEEDS_TRAINING_ROWS]
        ],
    )


def training_summary(figures: TrainingFigures) -> list[str]:
    if not figures.required:
        return [
            "No supplier with migrant workers and no recruiter is mapped: nobody needs CREST "
            "training yet."
        ]
    if not figures.trainings_recorded:
        return [NO_TRAINING]
    suppliers, recruiters = figures.suppliers_with_migrants, figures.recruiters
    gaps = figures.expired + figures.never
    return [
        f"{suppliers.count} of {suppliers.total} suppliers with migrant workers "
        f"({percent(suppliers.share)}) and {recruiters.count} of {recruiters.total} recruiters "
        f"({percent(recruiters.share)}) hold current training; a training counts for "
        f"{figures.validity_months} months.",
        f"{gaps} need training: {figures.expired} whose last training is out of date, "
        f"{figures.never} never trained."
        if gaps
        else "Every supplier with migrant workers and every recruiter holds current training.",
    ]


def _stage(stage: StageShare) -> StageShareRead:
    return StageShareRead(oriented=stage.oriented, share=stage.share)


def corridor_name(origin: str | None, destination: str | None) -> str:
    return f"{origin or 'unknown'} > {destination or 'unknown'}"


def orientation_figures(session: Session, network: Network) -> OrientationFigures:
    """Workers recruited and oriented per corridor and per employer (most recruited first)."""
    result = orientation_service.orientation_coverage(session, network=network)
    corridors = [
        CorridorOrientationRow(
            origin=c.origin,
            destination=c.destination,
            name=corridor_name(c.origin, c.destination),
            recruited=c.recruited,
            pre_departure=_stage(c.pre_departure),
            post_arrival=_stage(c.post_arrival),
        )
        for c in result.corridors
    ]
    employers = [
        EmployerOrientationRow(
            node_id=e.node_id,
            name=e.name,
            recruited=e.recruited,
            pre_departure=_stage(e.pre_departure),
            post_arrival=_stage(e.post_arrival),
        )
        for e in result.employers[:EMPLOYER_ROWS]
    ]
    stages = [(r.pre_departure, r.post_arrival) for r in result.corridors] + [
        (r.pre_departure, r.post_arrival) for r in result.employers
    ]
    recorded = any(before.sessions or after.sessions for before, after in stages)
    return OrientationFigures(recorded=recorded, corridors=corridors, employers=employers)


def orientation_summary(figures: OrientationFigures) -> list[str]:
    """What the corridors add up to: workers oriented at each stage of those recruited on
    corridors with a worker count (capped per corridor, as each corridor's share is)."""
    if not figures.corridors:
        return ["No recruitment corridor is mapped: there are no recruited workers to orient yet."]
    if not figures.recorded:
        return [
            "No orientation recorded yet: the workers recruited on every corridor are a gap, "
            "before departure and after arrival."
        ]
    counted = [c for c in figures.corridors if c.recruited]
    recruited = sum(c.recruited or 0 for c in counted)
    before = sum(min(c.pre_departure.oriented, c.recruited or 0) for c in counted)
    after = sum(min(c.post_arrival.oriented, c.recruited or 0) for c in counted)
    lines = []
    if recruited:
        lines.append(
            f"Of {recruited:,} workers recruited on corridors with a worker count, "
            f"{before:,} were oriented before departure ({percent(before / recruited)}) and "
            f"{after:,} after arrival ({percent(after / recruited)})."
        )
    unknown = len(figures.corridors) - len(counted)
    if unknown:
        lines.append(
            f"{numbers.counted(unknown, 'corridor has', 'corridors have')} no known number of "
            "recruited workers: their shares are unknown."
        )
    return lines


def mapping_summary(figures: MappingFigures, findings: int, actions: int) -> list[str]:
    assessed = figures.recruiters_assessed
    return [
        f"{figures.suppliers} suppliers, {figures.recruiters} labour recruiters and "
        f"{figures.corridors} recruitment corridors mapped, with {figures.visibility_gaps} "
        "visibility gaps.",
        f"{assessed.count} of {assessed.total} recruiters ({percent(assessed.share)}) have "
        "submitted an ethical-recruitment self-assessment.",
        f"{findings} open findings on mapping and ethical recruitment (listed under Findings) "
        f"and {actions} plan actions (listed under the remediation plan).",
    ]


def recruiters_assessed(session: Session, network: Network, recruiters: int) -> CrestShare:
    """Recruiters with an accepted or submitted assessment (each counted once)."""
    assessed = session.exec(
        select(func.count(func.distinct(Assessment.node_id)))
        .join(Node, col(Node.id) == col(Assessment.node_id))
        .where(
            Assessment.network_id == network.id,
            Node.kind == "recruiter",
            col(Assessment.status).in_(
                (AssessmentStatus.accepted.value, AssessmentStatus.submitted.value)
            ),
        )
    ).one()
    count = int(assessed)
    return CrestShare(
        count=count, total=recruiters, share=round(count / recruiters, 4) if recruiters else None
    )


def crest_data(
    session: Session,
    network: Network,
    graph: nx.MultiDiGraph,
    today: date,
    *,
    findings: Mapping[Severity, Sequence[FindingRead]],
    plan: Sequence[ActionRead],
    key: KeyFigures,
    visibility_gaps: int,
) -> CrestRead:
    """The three pillars, from the findings, plan and key figures the report already has."""
    mapping = MappingFigures(
        suppliers=key.suppliers,
        recruiters=key.recruiters,
        worker_groups=key.worker_groups,
        corridors=key.corridors,
        visibility_gaps=visibility_gaps,
        recruiters_assessed=recruiters_assessed(session, network, key.recruiters),
    )
    counts = open_counts(session, network)
    finding_ids = placed_findings(findings)
    pillar_of = {i: pillar for pillar, ids in finding_ids.items() for i in ids}
    action_ids = placed_actions(plan, pillar_of)
    training = training_figures(session, network, graph, today)
    oriented = orientation_figures(session, network)

    def common(pillar: CrestPillarCode, summary: list[str]) -> dict[str, object]:
        return {
            "pillar": pillar,
            "title": TITLES[pillar],
            "summary": summary,
            "findings_open": counts[pillar],
            "finding_ids": finding_ids[pillar],
            "action_ids": action_ids[pillar],
        }

    mapped = mapping_summary(mapping, sum(counts["PILLAR-3"].values()), len(action_ids["PILLAR-3"]))
    return CrestRead(
        training=TrainingPillar.model_validate(
            {**common("PILLAR-1", training_summary(training)), "coverage": training}
        ),
        orientation=OrientationPillar.model_validate(
            {
                **common("PILLAR-2", orientation_summary(oriented)),
                "coverage": oriented,
            }
        ),
        mapping=MappingPillar.model_validate({**common("PILLAR-3", mapped), "coverage": mapping}),
    )
