"""The dashboard's training page (CREST pillar 1): coverage, the trainings recorded, and the
forms that record one training or import an attendance sheet.

The forms go through the API's own code: a training is checked by ``TrainingCreate`` and
recorded by ``audit.training.service.record_training``, a sheet is read by
``audit.training.imports.import_trainings``, so the page refuses what the API refuses, with
the same messages naming the field (or the row and column), and a refused sheet writes nothing.
Viewers see coverage and the list, not the forms, and a post from one is refused (403).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api.deps import Principal, SessionDep, SettingsDep
from api.settings import Settings
from api.web.dashboard_session import (
    base_context,
    guarded,
    network_for,
    page,
    signed_in,
    utc_now,
    writer,
)
from api.web.form_errors import validation_errors
from api.web.pagination import Paging, pager, read_paging
from audit.training import imports
from audit.training import presenters as views
from audit.training import service as trainings
from audit.training.coverage import NodeCoverage
from audit.training.models import Training
from audit.training.schemas import AUDIENCE_ROLES, TrainingCreate, TrainingImportRead
from audit.training.topics import training_topics
from core.errors import FairpathError, InvalidInput
from core.numbers import plural_word
from supplychain import service as networks
from supplychain.models import Network

router = APIRouter(include_in_schema=False)
NETWORK = "/dashboard/networks/{network_id}/training"
READ_ONLY = "Viewers cannot record trainings; ask an analyst or an admin."
# Coverage rows shown on the page, those needing training first; the coverage API pages them all.
COVERAGE_ROWS = 200
# Node choices offered by the form's list; past this the form takes the node's external id.
NODE_CHOICES = 500
# Query parameters that say what a post did: kept off the page links.
DROPPED = ("recorded", "closed")


@dataclass
class TrainingForm:
    """What the record form was sent, to show it again with its errors beside it."""

    node: str = ""
    delivered_on: str = ""
    provider: str = ""
    topics: list[str] = field(default_factory=list)
    audience_roles: list[str] = field(default_factory=list)
    participants: str = ""
    language: str = ""
    notes: str = ""


@dataclass(frozen=True)
class CoverageRow:
    """One node's line in the coverage table, in the words the page prints."""

    node: trainings.NodeLabel
    row: NodeCoverage

    @property
    def status(self) -> str:
        if self.row.current:
            return "current"
        return "expired" if self.row.last_trained else "never trained"

    @property
    def needs_training(self) -> bool:
        return self.row.required and not self.row.current


def coverage_rows(
    session: Session, network: Network, summary: trainings.CoverageSummary
) -> list[CoverageRow]:
    """The rows the page shows, who needs training first (never trained before expired), then
    the rest, by name: the first ``COVERAGE_ROWS``, or every node when the form's list can
    offer them all (``NODE_CHOICES``). Ordered and cut by the database."""
    shown = NODE_CHOICES if summary.total <= NODE_CHOICES else COVERAGE_ROWS
    lines = trainings.coverage_page(
        session,
        network=network,
        today=summary.today,
        validity_months=summary.validity_months,
        order=trainings.CoverageOrder.needs_first,
        limit=shown,
    )
    return [CoverageRow(line.node, line.row) for line in lines]


def _matches(training: Training, node: trainings.NodeLabel | None, q: str) -> bool:
    topics = training_topics()
    words = [
        training.provider,
        training.language,
        training.notes,
        *(topics.label(t) for t in training.topics),
        *training.topics,
    ]
    if node is not None:
        words += [node.name, node.external_id]
    wanted = q.casefold()
    return any(wanted in w.casefold() for w in words)


def _listed(
    session: Session,
    network: Network,
    paging: Paging,
    today: date,
    validity: int,
) -> tuple[list[Training], int]:
    """One page of trainings, newest first; a search reads the network's trainings (by the
    hundred, as the topic filter of the API does) and matches node, provider and topics."""
    if not paging.q:
        return trainings.list_trainings(
            session,
            network=network,
            filters=trainings.TrainingFilters(),
            today=today,
            validity_months=validity,
            limit=paging.limit,
            offset=paging.offset,
        )
    every, _all = trainings.list_trainings(
        session,
        network=network,
        filters=trainings.TrainingFilters(),
        today=today,
        validity_months=validity,
        limit=imports.MAX_ROWS * 10,
        offset=0,
    )
    nodes = trainings.node_labels(session, network, (t.node_id for t in every))
    found = [t for t in every if _matches(t, nodes.get(t.node_id), paging.q)]
    return found[paging.offset : paging.offset + paging.limit], len(found)


def _render(
    request: Request,
    session: Session,
    settings: Settings,
    principal: Principal,
    csrf: str,
    network: Network,
    *,
    status: int = 200,
    form: TrainingForm | None = None,
    form_message: str = "",
    form_errors: Sequence[Mapping[str, Any]] = (),
    imported: TrainingImportRead | None = None,
    import_message: str = "",
    import_errors: Sequence[Mapping[str, Any]] = (),
    recorded: int | None = None,
    closed: int = 0,
) -> Response:
    today = utc_now().date()
    validity = settings.training_validity_months
    paging = read_paging(request)
    summary = trainings.coverage_summary(
        session, network=network, today=today, validity_months=validity
    )
    rows, total = _listed(session, network, paging, today, validity)
    listed = views.trainings_page(
        session, rows, total, today, validity, paging.limit, paging.offset
    )
    coverage = coverage_rows(session, network, summary)
    path = f"/dashboard/networks/{network.id}/training"
    return page(
        "trainings.html",
        status,
        **base_context(
            principal,
            csrf,
            network=network,
            tab="training",
            today=today,
            validity=validity,
            result=summary,
            coverage=coverage[:COVERAGE_ROWS],
            coverage_total=summary.total,
            gaps=summary.gaps,
            trainings=listed.items,
            trainings_total=total,
            pager=pager(request, paging, total=total, shown=len(rows), path=path, drop=DROPPED),
            q=paging.q,
            topics=training_topics().topics,
            topic_labels={t.id: t.label for t in training_topics().topics},
            roles=AUDIENCE_ROLES,
            choices=coverage if summary.total <= NODE_CHOICES else [],
            form=form or TrainingForm(),
            form_message=form_message,
            form_errors=list(form_errors),
            imported=imported,
            import_message=import_message,
            import_errors=list(import_errors),
            recorded=recorded,
            closed=closed,
        ),
    )


@router.get(NETWORK, response_class=HTMLResponse)
@guarded
def training_page(
    network_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    recorded: int | None = None,
    closed: int = 0,
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = network_for(session, principal, network_id)
    return _render(
        request, session, settings, principal, csrf, network, recorded=recorded, closed=closed
    )


def _node_id(session: Session, network: Network, raw: str) -> int:
    """The node the form names by its external id (the list's values, or typed in)."""
    text = raw.strip()
    node = networks.find_node(session, network=network, external_id=text) if text else None
    if node is None:
        raise InvalidInput(
            f"No node of this network has the external id {text!r}",
            errors=[{"field": "node_id", "message": "not a node of this network", "value": text}],
        )
    return node.id or 0


def _whole(raw: str) -> int | str:
    """A number typed in a form arrives as text: as a number when it is one, else as typed,
    for the model to refuse naming the field."""
    try:
        return int(raw.strip())
    except ValueError:
        return raw


@router.post(NETWORK, response_class=HTMLResponse)
@guarded
def record_training(
    network_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    node: Annotated[str, Form(max_length=200)] = "",
    delivered_on: Annotated[str, Form(max_length=20)] = "",
    provider: Annotated[str, Form(max_length=400)] = "",
    topics: Annotated[list[str] | None, Form()] = None,
    audience_roles: Annotated[list[str] | None, Form()] = None,
    participants: Annotated[str, Form(max_length=20)] = "",
    language: Annotated[str, Form(max_length=40)] = "",
    notes: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    principal = writer(request, session, settings, csrf, READ_ONLY)
    network = network_for(session, principal, network_id)
    form = TrainingForm(
        node=node,
        delivered_on=delivered_on,
        provider=provider,
        topics=list(topics or []),
        audience_roles=list(audience_roles or []),
        participants=participants,
        language=language,
        notes=notes,
    )
    today = utc_now().date()
    try:
        data = TrainingCreate.model_validate(
            {
                "node_id": _node_id(session, network, node),
                "delivered_on": delivered_on or None,
                "provider": provider,
                "topics": form.topics,
                "audience_roles": form.audience_roles,
                "participants": _whole(participants),
                "language": language.strip().lower(),
                "notes": notes,
            }
        )
        training, closed = trainings.record_training(
            session,
            network=network,
            data=data,
            today=today,
            validity_months=settings.training_validity_months,
            role=principal.role.value,
            user_id=principal.user.id,
        )
    except ValidationError as exc:
        errors = validation_errors(exc)
        noun = plural_word(len(errors), "field is", "fields are")
        return _render(
            request,
            session,
            settings,
            principal,
            csrf,
            network,
            status=422,
            form=form,
            form_message=f"{len(errors)} {noun} invalid.",
            form_errors=errors,
        )
    except FairpathError as refused:
        session.rollback()
        return _render(
            request,
            session,
            settings,
            principal,
            csrf,
            network,
            status=refused.status,
            form=form,
            form_message=refused.detail,
            form_errors=refused.errors or [],
        )
    return RedirectResponse(
        f"/dashboard/networks/{network_id}/training?recorded={training.id}&closed={len(closed)}"
        "#recorded",
        status_code=303,
    )


@router.post(NETWORK + "/import", response_class=HTMLResponse)
@guarded
def import_sheet(
    network_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    dry_run: Annotated[str, Form(max_length=10)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    principal = writer(request, session, settings, csrf, READ_ONLY)
    network = network_for(session, principal, network_id)
    context = (request, session, settings, principal, csrf, network)
    if file is None or not file.filename:
        return _render(
            *context,
            status=422,
            import_message="Choose an attendance sheet (CSV or XLSX) to import.",
            import_errors=[{"field": "file", "message": "no file was sent"}],
        )
    limit = settings.max_evidence_bytes
    data = file.file.read(limit + 1)
    try:
        if len(data) > limit:
            raise InvalidInput(
                f"The attendance sheet is larger than {limit:,} bytes",
                errors=[{"field": "file", "message": f"larger than {limit:,} bytes"}],
            )
        result = imports.import_trainings(
            session,
            network=network,
            filename=file.filename,
            data=data,
            today=utc_now().date(),
            validity_months=settings.training_validity_months,
            dry_run=dry_run == "yes",
            role=principal.role.value,
            user_id=principal.user.id,
        )
    except FairpathError as refused:
        session.rollback()  # nothing of a refused sheet is kept
        return _render(
            *context,
            status=refused.status,
            import_message=refused.detail,
            import_errors=refused.errors or [],
        )
    return _render(*context, imported=result)
