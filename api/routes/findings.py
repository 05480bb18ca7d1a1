"""Findings of a network: generated from the scores, or recorded by hand by auditors."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, status

from api.deps import (
    ClockDep,
    NetworkDep,
    PrincipalDep,
    SessionDep,
    WritableNetworkDep,
    WriterDep,
)
from api.errors import AUTH_RESPONSES, CONFLICT, INVALID, NOT_FOUND
from api.jobs.handlers import FINDINGS_REFRESH
from api.jobs.submit import start_network_job
from api.pagination import PageDep
from api.prefer import wants_async
from audit.findings import service as findings_service
from audit.findings.freshness import findings_state
from audit.findings.presenters import finding_read, refreshed_findings
from audit.findings.schemas import (
    FindingRead,
    FindingsPage,
    FindingsRefreshRead,
    FindingStatusChange,
    ManualFindingCreate,
)
from audit.scores.service import scoring_context
from core.jobs.schemas import JobRead
from core.schemas import IdParam, QueryText
from core.severity import Severity

router = APIRouter(prefix="/networks/{network_id}", responses={**AUTH_RESPONSES, **NOT_FOUND})


@router.get(
    "/findings", response_model=FindingsPage, tags=["findings"], operation_id="findings-list"
)
def list_findings(
    session: SessionDep,
    network: NetworkDep,
    page: PageDep,
    now: ClockDep,
    status_: Annotated[
        Literal["open", "resolved", "dismissed"] | None, Query(alias="status")
    ] = None,
    severity: Severity | None = None,
    code: Annotated[
        QueryText | None, Query(max_length=200, description="e.g. RF_WORKER_PAID_FEES")
    ] = None,
    node_id: IdParam | None = None,
    source: Literal["generated", "manual"] | None = None,
) -> FindingsPage:
    """Findings worst first: red flags (critical), weak principle scores, data gaps and manual
    findings, each with its evidence and the chain it sits in. Generated findings are refreshed
    after every change to the network, its assessments or its settings; `current` says whether
    they still match (the date alone can age them)."""
    context = scoring_context(session, network, now=now)
    state = findings_state(session, network, now)
    rows, total = findings_service.list_findings(
        session,
        network=network,
        filters=findings_service.FindingFilters(status_, severity, code, node_id, source),
        limit=page.limit,
        offset=page.offset,
    )
    counts = findings_service.counts(session, network)
    return FindingsPage(
        items=[finding_read(f, context) for f in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
        counts=counts,
        current=state.current,
        generated_at=state.synced_at,
    )


@router.post(
    "/findings/refresh",
    response_model=FindingsRefreshRead,
    tags=["findings"],
    operation_id="findings-refresh",
    responses={
        202: {"model": JobRead, "description": "Accepted as a job (`Prefer: respond-async`)"},
        503: {"description": "The job queue cannot be reached"},
    },
)
def refresh_findings(
    request: Request,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: WriterDep,
    now: ClockDep,
    prefer: Annotated[
        str | None,
        Header(
            max_length=256,
            description="`respond-async` refreshes as a job (202): on a large network the "
            "refresh takes longer than a proxy waits.",
            examples=["respond-async"],
        ),
    ] = None,
) -> Any:
    """Bring generated findings in step with the current scores now (they are refreshed after
    every change anyway; this is for findings aged by the date alone, e.g. an assessment that
    passed its validity overnight)."""
    if wants_async(prefer):
        return start_network_job(
            request,
            session,
            network=network,
            user_id=principal.user.id,
            kind=FINDINGS_REFRESH,
            params={},
            preference_applied="respond-async",
        )
    return refreshed_findings(session, network, now)


@router.post(
    "/findings",
    response_model=FindingRead,
    status_code=status.HTTP_201_CREATED,
    tags=["findings"],
    operation_id="findings-create",
    responses=INVALID,
)
def create_finding(
    data: ManualFindingCreate,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    now: ClockDep,
) -> FindingRead:
    """Record a finding from a worker interview, site visit or document review."""
    finding = findings_service.create_manual(
        session,
        network=network,
        code=data.code,
        severity=data.severity,
        title=data.title,
        detail=data.detail,
        node_id=data.node_id,
        principle=data.principle,
        evidence=data.evidence,
        user_id=principal.user.id,
    )
    return finding_read(finding, scoring_context(session, network, now=now))


@router.get(
    "/findings/{finding_id}",
    response_model=FindingRead,
    tags=["findings"],
    operation_id="findings-get",
)
def get_finding(
    finding_id: IdParam, session: SessionDep, network: NetworkDep, now: ClockDep
) -> FindingRead:
    context = scoring_context(session, network, now=now)
    finding = findings_service.get_finding(session, network=network, finding_id=finding_id)
    return finding_read(finding, context)


@router.post(
    "/findings/{finding_id}/status",
    response_model=FindingRead,
    tags=["findings"],
    operation_id="findings-status",
    responses={**CONFLICT, **INVALID},
)
def change_finding_status(
    finding_id: IdParam,
    data: FindingStatusChange,
    session: SessionDep,
    network: WritableNetworkDep,
    principal: PrincipalDep,
    now: ClockDep,
) -> FindingRead:
    """Dismiss a finding (a reason is required and recorded), reopen it, or resolve a manual
    one. Generated findings resolve themselves when their cause disappears."""
    finding = findings_service.get_finding(session, network=network, finding_id=finding_id)
    findings_service.set_status(
        session,
        finding=finding,
        status=data.status,
        reason=data.reason,
        user_id=principal.user.id,
    )
    return finding_read(finding, scoring_context(session, network, now=now))


# Plan ------------------------------------------------------------------------------------------
