"""Findings as API bodies, with the names and chain a reader needs beside the ids."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from audit.findings.freshness import findings_state
from audit.findings.models import Finding
from audit.findings.schemas import FindingRead, FindingsRefreshRead
from audit.findings.service import counts, sync_findings
from audit.scores.presenters import chain_step
from audit.scores.schemas import ChainStep
from audit.scores.service import ScoringContext
from questionnaires.standards import principles
from supplychain.models import Network


def finding_read(finding: Finding, context: ScoringContext) -> FindingRead:
    scores = context.scores
    node = scores.nodes.get(finding.node_id) if finding.node_id is not None else None
    known = principles()
    chain: list[ChainStep] = [chain_step(scores, n) for n in finding.chain if n in scores.nodes]
    return FindingRead(
        id=finding.id or 0,
        network_id=finding.network_id,
        key=finding.key,
        source=finding.source,  # type: ignore[arg-type]
        code=finding.code,
        severity=finding.severity,  # type: ignore[arg-type]
        node_id=finding.node_id,
        node_name=node.node.name if node else None,
        principle=finding.principle,
        principle_label=known[finding.principle].label if finding.principle in known else None,
        title=finding.title,
        detail=finding.detail,
        evidence=finding.evidence,
        chain=chain,
        status=finding.status.value,
        status_reason=finding.status_reason,
        created_at=finding.created_at.isoformat(),
        updated_at=finding.updated_at.isoformat(),
        resolved_at=finding.resolved_at.isoformat() if finding.resolved_at else None,
    )


def refreshed_findings(session: Session, network: Network, now: datetime) -> FindingsRefreshRead:
    """Refresh the network's generated findings now, and say what they are; shared by the
    request (small networks) and the job (``api.jobs.handlers``)."""
    refreshed = sync_findings(session, network, now)
    state = findings_state(session, network, now)
    return FindingsRefreshRead(
        refreshed=refreshed,
        current=state.current,
        generated_at=state.synced_at,
        counts=counts(session, network),
    )
