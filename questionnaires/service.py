"""Questionnaires, assessments, invitations and evidence: the rules applied to the database."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Table, func, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, SQLModel, col, select

from core.clock import utcnow
from core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from core.filestore import service as filestore
from core.filestore.service import StoredBlob
from core.last_used import record_use
from core.locking import lock_row, locking_select, note_locked
from core.numbers import counted
from core.organisations.models import Organisation
from core.tenancy import Scope
from core.tokens import display_prefix, hash_token, new_token
from questionnaires import answers as answer_rules
from questionnaires import evidence as evidence_files
from questionnaires import lifecycle
from questionnaires.definition import Questionnaire
from questionnaires.library import (
    canonical_document,
    document_hash,
    library_documents,
    library_translations,
)
from questionnaires.models import (
    ActorKind,
    Assessment,
    AssessmentEvent,
    AssessmentStatus,
    EvidenceFile,
    Invitation,
    QuestionnaireRecord,
)
from supplychain.models import Network, Node

INVITATION_PREFIX = "fpi_"
_parsed: dict[tuple[int, str], Questionnaire] = {}
_parsed_lock = threading.Lock()


class LibraryChangedError(RuntimeError):
    """A shipped questionnaire version differs from the one already published in this database."""


@dataclass(frozen=True)
class Actor:
    """Who acts on an assessment: a signed-in user (by role) or the invited respondent."""

    kind: ActorKind
    role: str  # lifecycle role: respondent, analyst, admin, viewer
    user_id: int | None = None

    @classmethod
    def respondent(cls) -> Actor:
        return cls(ActorKind.respondent, lifecycle.RESPONDENT)

    @classmethod
    def user(cls, user_id: int | None, role: str) -> Actor:
        return cls(ActorKind.user, role, user_id)


# Questionnaires ------------------------------------------------------------------------------


def stored_document(questionnaire: Questionnaire) -> dict[str, Any]:
    return canonical_document(questionnaire)


def ensure_library(session: Session) -> None:
    """Publish every shipped questionnaire version this database does not have yet.

    A shipped version whose content differs from the stored one is refused: published versions
    are immutable, and assessments answered on them must keep meaning what they meant.
    """
    stored = {
        (r.key, r.version): r
        for r in session.exec(
            select(QuestionnaireRecord).where(col(QuestionnaireRecord.organisation_id).is_(None))
        ).all()
    }
    for questionnaire in library_documents():
        digest = document_hash(questionnaire)
        existing = stored.get((questionnaire.id, questionnaire.version))
        if existing is None:
            try:
                with session.begin_nested():
                    session.add(_record(questionnaire, digest, organisation_id=None))
                    session.flush()
            except IntegrityError:  # another process published it at the same moment
                continue
        elif existing.content_hash != digest:
            raise LibraryChangedError(
                f"questionnaires/library/{questionnaire.id} v{questionnaire.version} differs from "
                "the version already published in this database; published versions are "
                "immutable, so save the change as a new version number"
            )


def _record(
    questionnaire: Questionnaire, digest: str, organisation_id: int | None
) -> QuestionnaireRecord:
    return QuestionnaireRecord(
        key=questionnaire.id,
        version=questionnaire.version,
        organisation_id=organisation_id,
        title=questionnaire.title,
        document=stored_document(questionnaire),
        content_hash=digest,
    )


def parsed(record: QuestionnaireRecord) -> Questionnaire:
    key = (record.id or 0, record.content_hash)
    with _parsed_lock:
        cached = _parsed.get(key)
    if cached is None:
        cached = Questionnaire.model_validate(record.document)
        with _parsed_lock:
            _parsed[key] = cached
    return cached


def languages(record: QuestionnaireRecord) -> list[str]:
    if record.organisation_id is not None:
        return [parsed(record).language]
    return sorted({parsed(record).language, *library_translations(record.key, record.version)})


def _visible(scope: Scope) -> Any:
    column = col(QuestionnaireRecord.organisation_id)
    if scope.all_organisations:
        return True
    return column.is_(None) | (column == scope.organisation_id)


def list_questionnaires(
    session: Session,
    *,
    scope: Scope,
    key: str | None = None,
    applies_to: str | None = None,
    latest_only: bool = False,
) -> list[QuestionnaireRecord]:
    query = select(QuestionnaireRecord).where(_visible(scope))
    if key:
        query = query.where(QuestionnaireRecord.key == key)
    rows = list(
        session.exec(
            query.order_by(QuestionnaireRecord.key, col(QuestionnaireRecord.version).desc())
        ).all()
    )
    if applies_to:
        rows = [r for r in rows if applies_to in parsed(r).applies_to.kinds]
    if latest_only:
        seen: set[tuple[int | None, str]] = set()
        latest = []
        for row in rows:
            if (row.organisation_id, row.key) not in seen:
                seen.add((row.organisation_id, row.key))
                latest.append(row)
        rows = latest
    return rows


def get_questionnaire(
    session: Session, *, scope: Scope, questionnaire_id: int
) -> QuestionnaireRecord:
    record = session.get(QuestionnaireRecord, questionnaire_id)
    if record is None or (
        record.organisation_id is not None and not scope.allows(record.organisation_id)
    ):
        raise NotFound(f"Questionnaire {questionnaire_id} was not found")
    return record


def validation_problems(error: ValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in item["loc"]) or "document", "message": item["msg"]}
        for item in error.errors()
    ]


def create_questionnaire(
    session: Session, *, organisation_id: int, document: dict[str, Any]
) -> QuestionnaireRecord:
    """Publish an organisation's own questionnaire version, validated like the library."""
    try:
        questionnaire = Questionnaire.model_validate(document)
    except ValidationError as exc:
        raise InvalidInput(
            "The questionnaire document is invalid", errors=validation_problems(exc)
        ) from exc
    if any(q.id == questionnaire.id for q in library_documents()):
        raise Conflict(f"{questionnaire.id!r} is a library questionnaire; give yours another id")
    clash = session.exec(
        select(QuestionnaireRecord.id).where(
            QuestionnaireRecord.organisation_id == organisation_id,
            QuestionnaireRecord.key == questionnaire.id,
            QuestionnaireRecord.version == questionnaire.version,
        )
    ).first()
    if clash is not None:
        raise Conflict(
            f"Version {questionnaire.version} of {questionnaire.id!r} is already published and "
            "cannot change; publish it as a new version number"
        )
    record = _record(questionnaire, document_hash(questionnaire), organisation_id)
    session.add(record)
    session.flush()
    return record


def default_questionnaire(session: Session, *, scope: Scope, node: Node) -> QuestionnaireRecord:
    role = node.role.value if node.role else None
    for record in list_questionnaires(session, scope=scope, latest_only=True):
        if record.organisation_id is None and parsed(record).applies_to_node(node.kind, role):
            return record
    raise InvalidInput(
        f"No library questionnaire applies to a {node.kind}; choose one with questionnaire_id",
        errors=[{"field": "questionnaire_id", "message": "required for this node"}],
    )


# Assessments ---------------------------------------------------------------------------------


def assign(
    session: Session,
    *,
    scope: Scope,
    network: Network,
    node: Node,
    questionnaire: QuestionnaireRecord | None,
    due_date: date | None,
    language: str,
    actor: Actor,
    invitation_days: int,
    secret: str | None = None,
    prefill_from: Assessment | None = None,
) -> tuple[Assessment, Invitation, str]:
    """A new assessment of the node with its invitation. ``prefill_from``, a previous round's
    assessment of the same questionnaire, starts it with those answers for the respondent to
    confirm or change."""
    record = questionnaire or default_questionnaire(session, scope=scope, node=node)
    document = parsed(record)
    role = node.role.value if node.role else None
    if not document.applies_to_node(node.kind, role):
        raise InvalidInput(
            f"{record.key} v{record.version} does not apply to a {node.kind}"
            + (f" ({role})" if role else ""),
            errors=[{"field": "questionnaire_id", "message": "does not apply to this node"}],
        )
    if language not in languages(record):
        raise InvalidInput(
            f"{record.key} has no {language!r} translation",
            errors=[{"field": "language", "message": f"one of {', '.join(languages(record))}"}],
        )
    assessment = Assessment(
        network_id=network.id or 0,
        node_id=node.id or 0,
        questionnaire_id=record.id or 0,
        due_date=due_date,
        language=language,
        assigned_by=actor.user_id,
    )
    if prefill_from is not None:
        assessment.answers = dict(prefill_from.answers)
        assessment.prefilled_from_id = prefill_from.id
    session.add(assessment)
    session.flush()
    record_event(
        session,
        assessment,
        actor,
        "assigned",
        to_status=AssessmentStatus.assigned,
        details={"questionnaire": f"{record.key} v{record.version}", "due_date": str(due_date)},
    )
    if prefill_from is not None:
        record_event(
            session, assessment, actor, "prefilled", details={"from_assessment": prefill_from.id}
        )
    invitation, secret = issue_invitation(
        session, assessment=assessment, actor=actor, days=invitation_days, secret=secret
    )
    return assessment, invitation, secret


@dataclass(frozen=True)
class NewAssessment:
    """One node to assess in a batch, in its respondent's language, with its link's token."""

    node: Node
    language: str
    secret: str


def assign_many(
    session: Session,
    *,
    network: Network,
    record: QuestionnaireRecord,
    items: Sequence[NewAssessment],
    due_date: date | None,
    actor: Actor,
    invitation_days: int,
) -> list[int]:
    """``assign`` for many nodes at once (a campaign), returning the assessments' ids: the
    same checks, and the same rows and audit events, written in a few statements instead of
    several per node; 5,000 nodes took a quarter of a minute one by one. The nodes are new
    to this questionnaire round, so no earlier link needs revoking."""
    document = parsed(record)
    known = languages(record)
    for item in items:
        role = item.node.role.value if item.node.role else None
        if not document.applies_to_node(item.node.kind, role):
            raise InvalidInput(
                f"{record.key} v{record.version} does not apply to {item.node.external_id}",
                errors=[{"field": "questionnaire_id", "message": "does not apply to this node"}],
            )
        if item.language not in known:
            raise InvalidInput(
                f"{record.key} has no {item.language!r} translation",
                errors=[{"field": "language", "message": f"one of {', '.join(known)}"}],
            )
    now = utcnow()
    # Core inserts: constructing 10,000 SQLModel objects took longer than writing them.
    by_node = _inserted(
        session,
        Assessment,
        [
            {
                "network_id": network.id or 0,
                "node_id": item.node.id or 0,
                "questionnaire_id": record.id or 0,
                "status": AssessmentStatus.assigned,
                "due_date": due_date,
                "language": item.language,
                "answers": {},
                "review_comment": "",
                "question_comments": {},
                "assigned_by": actor.user_id,
                "created_at": now,
                "updated_at": now,
            }
            for item in items
        ],
        "node_id",
    )
    assessment_ids = [by_node[item.node.id] for item in items]
    expires = now + timedelta(days=invitation_days)
    by_assessment = _inserted(
        session,
        Invitation,
        [
            {
                "assessment_id": assessment_id,
                "token_hash": hash_token(item.secret),
                "prefix": display_prefix(item.secret),
                "created_by": actor.user_id,
                "created_at": now,
                "expires_at": expires,
            }
            for assessment_id, item in zip(assessment_ids, items, strict=True)
        ],
        "assessment_id",
    )
    invitation_ids = [by_assessment[a] for a in assessment_ids]
    label = f"{record.key} v{record.version}"
    common = {"actor": actor.kind, "user_id": actor.user_id, "at": now, "from_status": None}
    events: list[dict[str, Any]] = []
    for assessment_id, invitation_id in zip(assessment_ids, invitation_ids, strict=True):
        events.append(
            {
                **common,
                "assessment_id": assessment_id,
                "action": "assigned",
                "to_status": str(AssessmentStatus.assigned),
                "details": {"questionnaire": label, "due_date": str(due_date)},
            }
        )
        events.append(
            {
                **common,
                "assessment_id": assessment_id,
                "action": "invitation_issued",
                "to_status": None,
                "details": {"invitation": invitation_id, "expires_at": expires.isoformat()},
            }
        )
    insert_all(session, AssessmentEvent, events)
    return assessment_ids


def insert_all(session: Session, table: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Rows inserted in a few statements. Asking for the ids back is what makes SQLAlchemy
    batch them ("insertmanyvalues", a cached statement of many rows); a plain executemany
    sent 10,000 events as 10,000 statements on PostgreSQL, and a hand-built multi-row VALUES
    took longer to compile than to run."""
    if rows:
        core: Table = table.__table__  # type: ignore[attr-defined]
        session.execute(insert(core).returning(core.c.id), rows).all()


def _inserted(
    session: Session, table: type[SQLModel], rows: list[dict[str, Any]], key: str
) -> dict[Any, int]:
    """Insert the rows; their ids by each row's ``key`` (unique within the batch). Returned
    unordered, so the driver can send the rows in a few multi-row statements: asking for
    them in order made SQLAlchemy insert one row per statement."""
    if not rows:
        return {}
    core: Table = table.__table__  # type: ignore[attr-defined]
    statement = insert(core).returning(core.c.id, core.c[key])
    return {row[1]: int(row[0]) for row in session.execute(statement, rows)}


@dataclass
class AssessmentFilters:
    status: AssessmentStatus | None = None
    node_id: int | None = None
    questionnaire_key: str | None = None
    overdue: bool | None = None
    q: str | None = None  # in the assessed node's name


def list_assessments(
    session: Session,
    *,
    network: Network,
    filters: AssessmentFilters,
    limit: int,
    offset: int,
    today: date | None = None,
) -> tuple[Sequence[Assessment], int]:
    query = select(Assessment).where(Assessment.network_id == network.id)
    if filters.status is not None:
        query = query.where(Assessment.status == filters.status)
    if filters.node_id is not None:
        query = query.where(Assessment.node_id == filters.node_id)
    if filters.questionnaire_key:
        query = query.join(QuestionnaireRecord).where(
            QuestionnaireRecord.key == filters.questionnaire_key
        )
    if filters.overdue is not None:
        open_and_late = col(Assessment.status).in_(tuple(lifecycle.EDITABLE)) & (
            col(Assessment.due_date) < (today or date.today())
        )
        query = query.where(open_and_late if filters.overdue else ~open_and_late)
    if filters.q:
        named = select(Node.id).where(func.lower(Node.name).contains(filters.q.lower()))
        query = query.where(col(Assessment.node_id).in_(named.where(Node.network_id == network.id)))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Assessment.id)).limit(limit).offset(offset)).all()
    return rows, total


def get_assessment(session: Session, *, network: Network, assessment_id: int) -> Assessment:
    assessment = session.get(Assessment, assessment_id)
    if assessment is None or assessment.network_id != network.id:
        raise NotFound(f"Assessment {assessment_id} was not found in network {network.id}")
    return assessment


_HELD_VERSIONS = "fairpath.questionnaire_versions"


def questionnaire_of(session: Session, assessment: Assessment) -> QuestionnaireRecord:
    """The pinned version, without its document: ``parsed`` reads that once per process (a
    published version never changes), and decoding tens of kilobytes of JSON on every
    autosave was most of a save's time."""
    record = _held_versions(session).get(assessment.questionnaire_id)
    if record is None:
        record = session.get(
            QuestionnaireRecord,
            assessment.questionnaire_id,
            options=[defer(QuestionnaireRecord.document)],  # type: ignore[arg-type]
        )
        assert record is not None  # foreign key
        _hold_version(session, record)
    return record


def _held_versions(session: Session) -> dict[int, QuestionnaireRecord]:
    return session.info.setdefault(_HELD_VERSIONS, {})  # the identity map holds rows weakly


def _hold_version(session: Session, record: QuestionnaireRecord) -> None:
    """Keep ``record`` for ``questionnaire_of`` for the rest of the session."""
    _held_versions(session)[record.id or 0] = record


def is_overdue(assessment: Assessment, today: date | None = None) -> bool:
    return (
        assessment.due_date is not None
        and assessment.status in lifecycle.EDITABLE
        and assessment.due_date < (today or date.today())
    )


def _answer_problems(errors: list[answer_rules.AnswerError]) -> list[dict[str, Any]]:
    return [{"question": e.question_id, "code": e.code, "message": e.message} for e in errors]


def save_answers(
    session: Session,
    *,
    assessment: Assessment,
    incoming: dict[str, Any],
    actor: Actor,
    language: str | None = None,
) -> Assessment:
    """A partial save: validates against the pinned version, all problems reported at once.
    The row is locked first: the phone form autosaves one question at a time, and two saves
    merging into the same stale document would drop one of them."""
    lock_row(session, assessment)
    lifecycle.check_editable(assessment.status, actor.role)
    record = questionnaire_of(session, assessment)
    questionnaire = parsed(record)
    if language is not None and language not in languages(record):
        raise InvalidInput(
            f"No {language!r} translation",
            errors=[{"field": "language", "message": f"one of {', '.join(languages(record))}"}],
        )
    cleaned, errors = answer_rules.validate_answers(questionnaire, incoming, assessment.answers)
    errors.extend(_evidence_problems(session, assessment, questionnaire, cleaned))
    if errors:
        raise InvalidInput(
            f"{counted(len(errors), 'answer is', 'answers are')} invalid; nothing was saved",
            errors=_answer_problems(errors),
        )
    merged = {**assessment.answers, **cleaned}
    merged = {k: v for k, v in merged.items() if v is not None}
    pruned = answer_rules.prune_hidden(questionnaire, merged)
    dropped = sorted(set(merged) - set(pruned))
    assessment.answers = pruned
    if language is not None:
        assessment.language = language
    previous = assessment.status
    if previous in (AssessmentStatus.assigned, AssessmentStatus.returned):
        lifecycle.check_transition(previous, AssessmentStatus.in_progress, actor.role)
        assessment.status = AssessmentStatus.in_progress
    assessment.updated_at = utcnow()
    session.add(assessment)
    record_event(
        session,
        assessment,
        actor,
        "answers_saved",
        from_status=previous,
        to_status=assessment.status,
        details={"questions": sorted(cleaned), "cleared_hidden": dropped},
    )
    return assessment


def _evidence_problems(
    session: Session,
    assessment: Assessment,
    questionnaire: Questionnaire,
    cleaned: dict[str, Any],
) -> list[answer_rules.AnswerError]:
    """File answers may only cite evidence uploaded to this assessment for that question."""
    problems = []
    for question_id, value in cleaned.items():
        if value is None or questionnaire.question(question_id).type != "file":
            continue
        owned = set(
            session.exec(
                select(EvidenceFile.id).where(
                    EvidenceFile.assessment_id == assessment.id,
                    EvidenceFile.question_id == question_id,
                )
            ).all()
        )
        unknown = [i for i in value if i not in owned]
        if unknown:
            problems.append(
                answer_rules.AnswerError(
                    question_id,
                    "not_offered",
                    f"evidence {', '.join(map(str, unknown))} was not uploaded for this question",
                )
            )
    return problems


def progress(session: Session, assessment: Assessment) -> tuple[int, int, list[str]]:
    questionnaire = parsed(questionnaire_of(session, assessment))
    visible = answer_rules.visible_question_ids(questionnaire, assessment.answers)
    required = [q for q in visible if questionnaire.question(q).required]
    missing = [
        e.question_id or ""
        for e in answer_rules.missing_required(questionnaire, assessment.answers)
    ]
    answered = sum(1 for q in visible if q in assessment.answers)
    return answered, len(required), missing


def submit(session: Session, *, assessment: Assessment, actor: Actor) -> Assessment:
    lock_row(session, assessment)  # a save still in flight must not slip past the check
    lifecycle.check_transition(assessment.status, AssessmentStatus.submitted, actor.role)
    questionnaire = parsed(questionnaire_of(session, assessment))
    missing = answer_rules.missing_required(questionnaire, assessment.answers)
    if missing:
        raise InvalidInput(
            f"{counted(len(missing), 'required question is', 'required questions are')} not "
            "answered yet; nothing was submitted",
            errors=_answer_problems(missing),
        )
    previous = assessment.status
    assessment.status = AssessmentStatus.submitted
    assessment.submitted_at = assessment.updated_at = utcnow()
    session.add(assessment)
    record_event(
        session, assessment, actor, "submitted", from_status=previous, to_status=assessment.status
    )
    return assessment


def review(
    session: Session,
    *,
    assessment: Assessment,
    decision: str,
    comment: str,
    question_comments: dict[str, str],
    actor: Actor,
) -> Assessment:
    target = AssessmentStatus.accepted if decision == "accept" else AssessmentStatus.returned
    lock_row(session, assessment)  # the decision is about the answers as they are now
    lifecycle.check_transition(assessment.status, target, actor.role)
    questionnaire = parsed(questionnaire_of(session, assessment))
    known = {q.id for q in questionnaire.questions()}
    unknown = sorted(set(question_comments) - known)
    if unknown:
        raise InvalidInput(
            "Comments name questions this questionnaire does not have",
            errors=[
                {"field": f"question_comments.{q}", "message": "unknown question"} for q in unknown
            ],
        )
    kept = {k: v.strip() for k, v in question_comments.items() if v.strip()}
    if target == AssessmentStatus.returned and not (comment.strip() or kept):
        raise InvalidInput(
            "Say what the respondent must fix when returning an assessment",
            errors=[{"field": "comment", "message": "a comment is required to return"}],
        )
    previous = assessment.status
    assessment.status = target
    assessment.review_comment = comment.strip()
    assessment.question_comments = kept
    assessment.reviewed_by = actor.user_id
    assessment.reviewed_at = assessment.updated_at = utcnow()
    session.add(assessment)
    record_event(
        session,
        assessment,
        actor,
        "accepted" if target == AssessmentStatus.accepted else "returned",
        from_status=previous,
        to_status=target,
        details={"comment": comment, "question_comments": assessment.question_comments},
    )
    return assessment


# Invitations ---------------------------------------------------------------------------------


def issue_invitation(
    session: Session,
    *,
    assessment: Assessment,
    actor: Actor,
    days: int,
    secret: str | None = None,
) -> tuple[Invitation, str]:
    """A new link for the respondent; earlier links of this assessment stop working. A
    campaign passes a ``secret`` it can derive again, to repeat the link in its reminders."""
    now = utcnow()
    for old in session.exec(
        select(Invitation).where(
            Invitation.assessment_id == assessment.id, col(Invitation.revoked_at).is_(None)
        )
    ).all():
        old.revoked_at = now
        session.add(old)
    secret = secret or new_token(INVITATION_PREFIX)
    invitation = Invitation(
        assessment_id=assessment.id or 0,
        token_hash=hash_token(secret),
        prefix=display_prefix(secret),
        created_by=actor.user_id,
        expires_at=now + timedelta(days=days),
    )
    session.add(invitation)
    session.flush()
    record_event(
        session,
        assessment,
        actor,
        "invitation_issued",
        details={"invitation": invitation.id, "expires_at": invitation.expires_at.isoformat()},
    )
    return invitation, secret


def list_invitations(session: Session, *, assessment: Assessment) -> Sequence[Invitation]:
    return session.exec(
        select(Invitation)
        .where(Invitation.assessment_id == assessment.id)
        .order_by(col(Invitation.id))
    ).all()


def revoke_invitation(
    session: Session, *, assessment: Assessment, invitation_id: int, actor: Actor
) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.assessment_id != assessment.id:
        raise NotFound(f"Invitation {invitation_id} was not found")
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        session.add(invitation)
        record_event(
            session, assessment, actor, "invitation_revoked", details={"invitation": invitation.id}
        )
    return invitation


class InvitationState:
    valid = "valid"
    unknown = "unknown"
    expired = "expired"
    revoked = "revoked"


def invitation_state(
    session: Session, secret: str, *, now: datetime | None = None
) -> tuple[str, Invitation | None]:
    """Whether a respondent's token still opens its assessment, and if not, why not."""
    invitation = session.exec(
        select(Invitation).where(Invitation.token_hash == hash_token(secret))
    ).first()
    return _state_of(invitation, now or utcnow()), invitation


def _state_of(invitation: Invitation | None, now: datetime) -> str:
    if invitation is None:
        return InvitationState.unknown
    if invitation.revoked_at is not None:
        return InvitationState.revoked
    if invitation.expires_at <= now:
        return InvitationState.expired
    return InvitationState.valid


def resolve_invitation(session: Session, secret: str, *, for_update: bool = False) -> Assessment:
    """The one assessment an invitation token opens; anything else is 401. Invitation,
    assessment and its questionnaire version (held for ``questionnaire_of``, without its
    document) come in one query: every autosave starts here. An autosave asks ``for_update``:
    the same query then takes the assessment's row lock that ``save_answers`` needs."""
    statement = (
        select(Invitation, Assessment, QuestionnaireRecord)
        .join(Assessment, col(Assessment.id) == col(Invitation.assessment_id))
        .join(QuestionnaireRecord, col(QuestionnaireRecord.id) == col(Assessment.questionnaire_id))
        .where(Invitation.token_hash == hash_token(secret))
        .options(defer(QuestionnaireRecord.document))  # type: ignore[arg-type]
    )
    if for_update:
        statement = locking_select(session, statement, Assessment)
    row = session.exec(statement).first()
    invitation, assessment, record = row if row is not None else (None, None, None)
    if record is not None:
        _hold_version(session, record)
    if for_update and assessment is not None:
        note_locked(session, assessment)
    now = utcnow()
    state = _state_of(invitation, now)
    if state != InvitationState.valid or invitation is None or assessment is None:
        messages = {
            InvitationState.unknown: "This invitation link is not valid",
            InvitationState.expired: "This invitation link has expired; ask the company for a "
            "new one",
            InvitationState.revoked: "This invitation link was replaced or withdrawn; ask the "
            "company for a new one",
        }
        raise NotAuthenticated(messages[state])
    if invitation.last_used_at is None or now - invitation.last_used_at >= timedelta(minutes=1):
        record_use(session, Invitation, invitation.id or 0, now)
    return assessment


def names_shown(session: Session, assessment: Assessment) -> tuple[str, str]:
    """Who is asking (the organisation) and who answers (the node), as the respondent sees
    them; one query, since every view of the form shows both."""
    row = session.exec(
        select(Organisation.name, Node.name)
        .join(Network, col(Network.organisation_id) == col(Organisation.id))
        .join(Node, col(Node.network_id) == col(Network.id))
        .where(Network.id == assessment.network_id, Node.id == assessment.node_id)
    ).first()
    return (row[0], row[1]) if row is not None else ("", "")


# Evidence ------------------------------------------------------------------------------------


def store_upload(
    session: Session, *, chunks: Iterable[bytes], filename: str, max_bytes: int
) -> tuple[evidence_files.Detected, StoredBlob]:
    """Check an uploaded evidence file (or proof of remediation) and keep it in the file store
    every server shares; a refused file is never stored.

    Reading stops as soon as the file passes ``max_bytes``. Its type is read from the whole
    content (an office document is a ZIP archive whose directory comes last), so the file,
    ``max_bytes`` at most, is held in memory while it is checked.
    """
    evidence_files.check_filename(filename)
    pieces: list[bytes] = []
    size = 0
    for piece in chunks:
        pieces.append(piece)
        size += len(piece)
        if size > max_bytes:
            break  # check_upload refuses it, naming the limit
    data = b"".join(pieces)
    detected, _digest = evidence_files.check_upload(data, filename, max_bytes)
    return detected, filestore.store_bytes(session, data)


def add_evidence(
    session: Session,
    *,
    assessment: Assessment,
    question_id: str,
    filename: str,
    chunks: Iterable[bytes],
    max_bytes: int,
    actor: Actor,
) -> EvidenceFile:
    lock_row(session, assessment)
    lifecycle.check_editable(assessment.status, actor.role)
    questionnaire = parsed(questionnaire_of(session, assessment))
    try:
        question = questionnaire.question(question_id)
    except KeyError as exc:
        raise InvalidInput(
            f"The questionnaire has no question {question_id!r}",
            errors=[{"field": "question_id", "message": "unknown question"}],
        ) from exc
    if not answer_rules.is_visible(questionnaire, question_id, assessment.answers):
        raise InvalidInput(
            f"Question {question_id} is not asked given the answers so far",
            errors=[{"question": question_id, "message": "hidden by an earlier answer"}],
        )
    detected, stored = store_upload(session, chunks=chunks, filename=filename, max_bytes=max_bytes)
    evidence = EvidenceFile(
        assessment_id=assessment.id or 0,
        question_id=question_id,
        sha256=stored.sha256,
        filename=evidence_files.clean_filename(filename, detected.extension),
        media_type=detected.media_type,
        size=stored.size,
        uploaded_by_user=actor.user_id,
    )
    session.add(evidence)
    session.flush()
    if question.type == "file":
        # A file question's answer is the list of its uploads: uploading is answering.
        current = list(assessment.answers.get(question_id) or [])
        assessment.answers = {**assessment.answers, question_id: [*current, evidence.id]}
        if assessment.status in (AssessmentStatus.assigned, AssessmentStatus.returned):
            assessment.status = AssessmentStatus.in_progress
        assessment.updated_at = utcnow()
        session.add(assessment)
    record_event(
        session,
        assessment,
        actor,
        "evidence_uploaded",
        details={
            "evidence": evidence.id,
            "question": question_id,
            "media_type": detected.media_type,
            "size": stored.size,
        },
    )
    return evidence


def list_evidence(session: Session, *, assessment: Assessment) -> Sequence[EvidenceFile]:
    return session.exec(
        select(EvidenceFile)
        .where(EvidenceFile.assessment_id == assessment.id)
        .order_by(col(EvidenceFile.id))
    ).all()


def get_evidence(session: Session, *, assessment: Assessment, evidence_id: int) -> EvidenceFile:
    evidence = session.get(EvidenceFile, evidence_id)
    if evidence is None or evidence.assessment_id != assessment.id:
        raise NotFound(f"Evidence {evidence_id} was not found")
    return evidence


# Audit trail ---------------------------------------------------------------------------------


def record_event(
    session: Session,
    assessment: Assessment,
    actor: Actor,
    action: str,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    details: dict[str, Any] | None = None,
) -> AssessmentEvent:
    event = AssessmentEvent(
        assessment_id=assessment.id or 0,
        actor=actor.kind,
        user_id=actor.user_id,
        action=action,
        from_status=str(from_status) if from_status else None,
        to_status=str(to_status) if to_status else None,
        details=details or {},
    )
    session.add(event)
    session.flush()
    return event


def events(session: Session, *, assessment: Assessment) -> Sequence[AssessmentEvent]:
    return session.exec(
        select(AssessmentEvent)
        .where(AssessmentEvent.assessment_id == assessment.id)
        .order_by(col(AssessmentEvent.id))
    ).all()
