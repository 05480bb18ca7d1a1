"""Assemble everything an audit report says, once; the HTML, PDF and JSON renderers only lay it
out. Large networks stay readable: tables in the body show the top rows, with the full lists in
the appendix (PDF, HTML) or the JSON.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from audit.findings import service as findings_service
from audit.findings.freshness import FindingsState, findings_state
from audit.findings.models import Finding, FindingStatus
from audit.findings.presenters import finding_read
from audit.findings.schemas import FindingRead
from audit.remediation import presenters as plan_views
from audit.remediation import service as plans_service
from audit.remediation.schemas import ActionRead
from audit.reports.crest import crest_data
from audit.reports.heatmap import Heatmap
from audit.reports.heatmap_data import heatmaps
from audit.reports.legal_limits import legal_limit_rows
from audit.reports.schemas import (
    GapRow,
    KeyFigures,
    Methodology,
    NetworkSummary,
    PlanGroup,
    ReportData,
    ReportMeta,
    SourceRow,
)
from audit.scores.presenters import corridors as corridor_rows
from audit.scores.presenters import explanation
from audit.scores.service import ScoringContext, scoring_context
from core.numbers import counted
from core.organisations.service import organisation_name
from core.progress import Progress, no_progress
from core.severity import SEVERITIES, SEVERITY_RANK, Severity
from core.version import fairpath_version
from questionnaires.models import Assessment, AssessmentStatus, QuestionnaireRecord
from scoring.reimbursement import reimbursement
from supplychain import analysis
from supplychain.models import Network

METHOD_SUMMARY = (
    "Recruiters and suppliers answered self-assessments written from the IOM IRIS Standard, the "
    "ILO General Principles and Operational Guidelines for Fair Recruitment with the Definition "
    "of Recruitment Fees and Related Costs, the ILO Indicators of Forced Labour and the Employer "
    "Pays Principle. Each node receives a compliance score from its latest accepted assessment "
    "(a submitted, unreviewed one is marked provisional), an inherent risk from public reference "
    "data and its role, and a combined risk; risk then propagates along recruitment and supply "
    "links to the buying company. Any critical red-flag answer makes a node, and every chain "
    "through it, critical, with a risk and exposure of at least 75. Missing data is shown as "
    "unknown, never as zero."
)
# Rows a PDF or HTML table shows before pointing at the JSON report. The plan and the reported
# fee lines are always shown whole: a client acts on every one of them.
TOP = {
    "corridors": 15,
    "findings": 12,
    "scorecards": 60,
    "gaps": 20,
    "estimates": 30,
    "fee_lines": 300,
    "crest": 20,  # rows of each CREST pillar's tables
}
# What the report itself carries of its longest lists (the PDF and HTML show ``TOP`` of them):
# a 100,000-node network has 95,000 scorecards and 140,000 findings, which made an 860 MB
# JSON report and took minutes. Beyond these, the complete lists are where they can be paged
# or filed: the findings and scores APIs, and the plan export (XLSX or CSV).
LIMITS = {"findings": 500, "scorecards": 500, "plan": 2000, "gaps": 2000}


@dataclass(frozen=True)
class ReportBundle:
    """What the HTML and PDF renderers need: the report data and its heatmaps, computed from
    one scoring context so the two always describe the same scores."""

    report: ReportData
    figures: dict[str, Heatmap]


def build_report(
    session: Session, network: Network, now: datetime, *, progress: Progress = no_progress
) -> ReportData:
    """The report data alone (the JSON report needs no heatmaps). ``progress`` hears
    "scoring the network" (one step) and "gathering data" (``report_data``'s steps)."""
    context = _scored(session, network, now, progress)
    return report_data(session, network, now, context, progress=progress)


def build_report_with_figures(
    session: Session, network: Network, now: datetime, *, progress: Progress = no_progress
) -> ReportBundle:
    """The report data and its heatmaps, scoring the network once for both. ``progress``
    hears "scoring the network", "gathering data", then "drawing heatmaps" (one step)."""
    context = _scored(session, network, now, progress)
    report = report_data(session, network, now, context, progress=progress)
    progress("drawing heatmaps", 0, 1)
    figures = heatmaps(context, report.corridors)
    progress("drawing heatmaps", 1, 1)
    return ReportBundle(report=report, figures=figures)


def _scored(
    session: Session, network: Network, now: datetime, progress: Progress
) -> ScoringContext:
    """The scoring context, as one step: scores are computed whole (or come from the cache)."""
    progress("scoring the network", 0, 1)
    context = scoring_context(session, network, now=now)
    progress("scoring the network", 1, 1)
    return context


def _assessment_counts(session: Session, network: Network) -> tuple[Counter[str], list[str]]:
    rows = session.exec(
        select(Assessment.status, QuestionnaireRecord.key, QuestionnaireRecord.version)
        .join(QuestionnaireRecord, col(QuestionnaireRecord.id) == col(Assessment.questionnaire_id))
        .where(Assessment.network_id == network.id)
    ).all()
    statuses = Counter(str(s) for s, _k, _v in rows)
    versions = sorted({f"{k} v{v}" for _s, k, v in rows})
    return statuses, versions


_FIGURE_KIND = {
    "corridor": "Worker-paid recruitment cost",
    "sector": "US DoL List of Goods Produced by Child Labor or Forced Labor",
}


def _sources(context: ScoringContext) -> list[SourceRow]:
    """Every reference figure this network's scores used, once each, with its subject, value,
    year, source and source quality: what a reviewer checks a score against."""
    seen: dict[tuple[str, str, str, str, str], SourceRow] = {}
    for score in context.scores.nodes.values():
        for component in score.inherent.components:
            for figure in component.figures:
                data = _FIGURE_KIND.get(component.name, figure.label.split(":", 1)[-1].strip())
                row = SourceRow(
                    subject=figure.subject or figure.label.split(":", 1)[0],
                    data=data,
                    value=figure.value,
                    year=str(figure.year or "n/a"),
                    source=figure.source,
                    quality=figure.quality or "unstated",
                    level=figure.level,
                )
                seen.setdefault((row.subject, data, row.value, row.year, row.source), row)
    return sorted(seen.values(), key=lambda r: (r.data, r.subject, r.year))


# The steps of ``report_data``, as "gathering data" reports them.
_GATHERING = 5


def report_data(
    session: Session,
    network: Network,
    now: datetime,
    context: ScoringContext,
    *,
    progress: Progress = no_progress,
) -> ReportData:
    """Everything the report says, from an already computed scoring context. It only reads:
    findings are as their last refresh left them, and the report says so when the network's
    inputs have changed since (see ``audit.findings.freshness``).

    ``progress`` hears "gathering data" in ``_GATHERING`` steps: figures and fees, findings,
    the plan, scorecards, then gaps and sources."""
    progress("gathering data", 0, _GATHERING)
    freshness = findings_state(session, network, now)
    scores, graph = context.scores, context.graph
    stats = analysis.statistics(graph)
    company = scores.company
    statuses, questionnaires = _assessment_counts(session, network)
    money = reimbursement(
        graph, context.assessments, context.reference, scores.profile.fee_usd_tolerance
    )
    progress("gathering data", 1, _GATHERING)
    grouped = _open_findings(session, network, context, LIMITS["findings"])
    counted = findings_service.counts(session, network).get(FindingStatus.open.value, {})
    open_counts: dict[Severity, int] = {s: counted.get(s, 0) for s in SEVERITIES}
    progress("gathering data", 2, _GATHERING)

    today = now.date()
    plan = plan_views.actions_read(
        session, plans_service.most_urgent(session, network, LIMITS["plan"]), today
    )
    metrics = plans_service.network_metrics(session, network, today)
    progress("gathering data", 3, _GATHERING)

    ranked = sorted(
        (s for s in scores.nodes.values() if s.node.kind in ("supplier", "recruiter")),
        key=lambda s: (-(s.band == "critical"), -s.risk, s.node.name),
    )
    scorecards = [explanation(context, s.node.id) for s in ranked[: LIMITS["scorecards"]]]
    progress("gathering data", 4, _GATHERING)
    critical_chain = scores.critical_chain(company) if company is not None else None
    unknown, assessable = scores.unknown_share()
    key = KeyFigures(
        exposure=scores.exposure(company) if company is not None else None,
        exposure_band=scores.exposure_band(company) if company is not None else None,
        suppliers=stats["nodes_by_kind"].get("supplier", 0),
        recruiters=stats["nodes_by_kind"].get("recruiter", 0),
        recruiters_by_role=stats["recruiters_by_role"],
        worker_groups=stats["nodes_by_kind"].get("worker_group", 0),
        corridors=stats["corridors"],
        workers=stats["workers"],
        migrant_workers=stats["migrant_workers"],
        recruited_workers=stats["recruited_workers"],
        assessments_accepted=statuses.get(AssessmentStatus.accepted.value, 0),
        assessments_submitted=statuses.get(AssessmentStatus.submitted.value, 0),
        assessments_open=sum(statuses.get(s, 0) for s in ("assigned", "in_progress", "returned")),
        findings_open=open_counts,
        critical_findings=open_counts["critical"],
        fees_owed_usd=money.reported_usd,
        fees_estimated_usd=money.estimated_usd,
        fees_owed_local={k: round(v, 2) for k, v in money.reported_local.items()},
        fees_owed_text=money_text(money.reported_usd, len(money.unknown_reported)),
        fees_estimated_text=money_text(money.estimated_usd, len(money.unknown_estimates)),
        actions_total=metrics["total"],
        actions_overdue=metrics["overdue"],
        actions_verified=metrics["by_status"]["verified"],
        insufficient_data=unknown,
        assessable=assessable,
    )
    gaps = analysis.visibility_gaps(graph)
    crest = crest_data(
        session,
        network,
        graph,
        today,
        findings=grouped,
        plan=plan,
        key=key,
        visibility_gaps=len(gaps),
    )
    report = ReportData(
        meta=ReportMeta(
            company=organisation_name(session, network.organisation_id),
            network=network.name,
            network_id=network.id or 0,
            network_version=network.version,
            description=network.description,
            generated_at=now.isoformat(timespec="minutes"),
            date=now.date().isoformat(),
            fairpath_version=fairpath_version(),
            scope=f"{stats['nodes']} nodes and {stats['edges']} links: the buying company, "
            f"{key.suppliers} suppliers, {key.recruiters} labour recruiters and "
            f"{key.worker_groups} worker groups, across {len(stats['countries'])} countries.",
            findings_current=freshness.current,
            findings_as_of=freshness.synced_at.isoformat(timespec="minutes")
            if freshness.synced_at
            else None,
        ),
        key_figures=key,
        critical_chain=[scores.nodes[n].node.name for n in critical_chain]
        if critical_chain
        else None,
        headline=_headline(key, critical_chain is not None) + _staleness(freshness),
        methodology=Methodology(
            summary=METHOD_SUMMARY,
            questionnaires=questionnaires,
            profile=scores.profile,
            overrides=list(scores.reference_overrides),
        ),
        sources=_sources(context),
        network=NetworkSummary(
            tiers=stats["suppliers_by_effective_tier"],
            recruiters_by_role=stats["recruiters_by_role"],
            countries=stats["countries"],
            longest_path_hops=stats["longest_path_hops"],
            gap_counts=dict(Counter(g.code for g in gaps)),
        ),
        corridors=corridor_rows(context),
        gaps=[
            GapRow(
                code=g.code,
                title=analysis.GAP_CODES[g.code],
                node=graph.nodes[g.node]["name"] if g.node is not None else None,
                message=g.message,
            )
            for g in gaps[: LIMITS["gaps"]]
        ],
        findings=grouped,
        findings_total=open_counts,
        plan=plan,
        plan_groups=plan_groups(plan),
        plan_metrics=metrics,
        reimbursement=plan_views.reimbursement_read(money, context),
        scorecards=scorecards,
        scorecards_total=len(ranked),
        top=dict(TOP),
        crest=crest,
        legal_limits=legal_limit_rows(context),
    )
    progress("gathering data", _GATHERING, _GATHERING)
    return report


def _open_findings(
    session: Session, network: Network, context: ScoringContext, limit: int
) -> dict[Severity, list[FindingRead]]:
    """The first ``limit`` open findings of each severity, every severity present even when
    empty (``findings_total`` counts them all)."""
    grouped: dict[Severity, list[FindingRead]] = {}
    for severity in SEVERITIES:
        rows = session.exec(
            select(Finding)
            .where(
                Finding.network_id == network.id,
                Finding.status == FindingStatus.open,
                Finding.severity == severity,
            )
            .order_by(col(Finding.id))
            .limit(limit)
        ).all()
        grouped[severity] = [finding_read(f, context) for f in rows]
    return grouped


def money_text(known_usd: float, unknown_parts: int) -> str:
    """A total as it may be printed: never "USD 0" when parts of it are unknown."""
    if not unknown_parts:
        return f"USD {known_usd:,.0f}"
    parts = f"{counted(unknown_parts, 'part', 'parts')} without an amount"
    if not known_usd:
        return f"an unknown amount ({parts})"
    return f"at least USD {known_usd:,.0f} ({parts})"


def plan_groups(plan: list[ActionRead]) -> list[PlanGroup]:
    """The whole plan by the node its findings are about, most urgent node first; within a
    node by owner, then deadline."""
    by_node: dict[str, list[ActionRead]] = {}
    for action in plan:
        by_node.setdefault(action.node_name or "The network as a whole", []).append(action)
    groups = [
        PlanGroup(node=node, actions=sorted(actions, key=lambda a: (a.owner_name, a.due_date)))
        for node, actions in by_node.items()
    ]
    return sorted(
        groups,
        key=lambda g: (
            min(SEVERITY_RANK[a.severity] for a in g.actions),
            min(a.due_date for a in g.actions),
            g.node,
        ),
    )


def _staleness(freshness: FindingsState) -> list[str]:
    if freshness.current:
        return []
    if freshness.synced_at is None:
        return [
            "Findings have not been generated for this network yet: build the plan or run "
            "`fairpath findings refresh` before relying on the findings below."
        ]
    return [
        f"The findings below were generated on {freshness.synced_at:%Y-%m-%d %H:%M} UTC; the "
        "network's data or the date has changed since, so some may be out of date until they "
        "are refreshed (`fairpath findings refresh`, or the next change to the network)."
    ]


def _headline(key: KeyFigures, critical_chain: bool) -> list[str]:
    lines = []
    if key.exposure_band == "insufficient_data":
        lines.append(
            "Overall exposure is UNKNOWN: nothing reaching the company has scored answers or "
            "reference figures (insufficient data, not low)."
        )
    elif key.exposure_band:
        lines.append(f"Overall exposure is {key.exposure_band.upper()} ({key.exposure:.0f}/100).")
    if key.insufficient_data:
        share = 100 * key.insufficient_data / key.assessable
        lines.append(
            f"{key.insufficient_data} of {key.assessable} suppliers and recruiters ({share:.0f} %) "
            "have insufficient data: no scored answers and no reference figure, so their risk "
            "is unknown."
        )
    if critical_chain:
        lines.append(
            "At least one recruitment chain reaching the company carries a critical "
            "red flag (see the chain below and the critical findings)."
        )
    if key.critical_findings:
        lines.append(f"{key.critical_findings} critical finding(s) need action within weeks.")
    if key.fees_owed_usd or key.fees_owed_text.startswith("unknown"):
        lines.append(
            f"Workers reported paying recruitment fees: {key.fees_owed_text} "
            "is owed back to them under the Employer Pays Principle."
        )
    if key.fees_estimated_usd or key.fees_estimated_text.startswith("unknown"):
        lines.append(
            f"Where nobody has been assessed yet, survey costs suggest a further "
            f"{key.fees_estimated_text} may be owed (estimate)."
        )
    unassessed = key.recruiters - key.assessments_accepted - key.assessments_submitted
    if unassessed > 0:
        lines.append(f"Up to {unassessed} recruiter(s) have no submitted assessment yet.")
    return lines
