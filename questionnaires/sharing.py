"""Answer once, share with many: a recruiter linked to a registry entry may show a buyer that
invites it the assessment another buyer accepted, with its consent, per buyer and revocable.

The buyer sees the answers, the questionnaire, when they were accepted and that another
organisation's reviewer accepted them; never which organisation, its network or its findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core.errors import Conflict, NotFound
from questionnaires.models import Assessment, AssessmentShare, AssessmentStatus
from supplychain.models import Network, Node
from supplychain.registry.models import NodeRegistryLink

ACCEPTED_BY = "a reviewer at another organisation"


@dataclass(frozen=True)
class Shareable:
    source: Assessment
    profile_id: int
    accepted_at: datetime


def _organisation(session: Session, assessment: Assessment) -> int:
    network = session.get(Network, assessment.network_id)
    assert network is not None
    return network.organisation_id


def shareable(session: Session, assessment: Assessment) -> Shareable | None:
    """The recruiter's latest assessment of the same questionnaire accepted by another
    organisation, through any node linked to the same registry entry as this one's."""
    link = session.exec(
        select(NodeRegistryLink).where(NodeRegistryLink.node_id == assessment.node_id)
    ).first()
    if link is None:
        return None
    own = _organisation(session, assessment)
    rows = session.exec(
        select(Assessment, Network.organisation_id)
        .join(NodeRegistryLink, col(NodeRegistryLink.node_id) == col(Assessment.node_id))
        .join(Node, col(Node.id) == col(Assessment.node_id))
        .join(Network, col(Network.id) == col(Node.network_id))
        .where(
            NodeRegistryLink.profile_id == link.profile_id,
            Assessment.status == AssessmentStatus.accepted,
            Assessment.questionnaire_id == assessment.questionnaire_id,
            col(Assessment.id) != assessment.id,
            col(Assessment.reviewed_at).is_not(None),
        )
        .order_by(col(Assessment.reviewed_at).desc())
    ).all()
    for source, organisation_id in rows:
        if organisation_id != own and source.reviewed_at is not None:
            return Shareable(source, link.profile_id, source.reviewed_at)
    return None


def current_share(session: Session, assessment: Assessment) -> AssessmentShare | None:
    return session.exec(
        select(AssessmentShare)
        .where(
            AssessmentShare.buyer_assessment_id == assessment.id,
            col(AssessmentShare.revoked_at).is_(None),
        )
        .order_by(col(AssessmentShare.id).desc())
    ).first()


def consent(session: Session, assessment: Assessment, now: datetime) -> AssessmentShare:
    """The respondent's consent, for this buyer's assessment only."""
    found = shareable(session, assessment)
    if found is None:
        raise NotFound("There is no accepted assessment of yours to share with this company")
    existing = current_share(session, assessment)
    if existing is not None:
        raise Conflict("You already share your accepted assessment with this company")
    share = AssessmentShare(
        buyer_assessment_id=assessment.id or 0,
        source_assessment_id=found.source.id or 0,
        profile_id=found.profile_id,
        consented_at=now,
    )
    session.add(share)
    session.flush()
    return share


def revoke(session: Session, assessment: Assessment, now: datetime) -> AssessmentShare:
    share = current_share(session, assessment)
    if share is None:
        raise NotFound("You do not share an assessment with this company")
    share.revoked_at = now
    session.add(share)
    session.flush()
    return share


def shared_view(session: Session, assessment: Assessment) -> dict[str, Any]:
    """What the buyer sees of a share in force: the answers and when and by whom (in words
    that name no organisation) they were accepted."""
    share = current_share(session, assessment)
    if share is None:
        raise NotFound(
            f"Assessment {assessment.id} has no shared answers (none given, or consent revoked)"
        )
    source = session.get(Assessment, share.source_assessment_id)
    assert source is not None and source.reviewed_at is not None
    return {
        "answers": dict(source.answers),
        "questionnaire_id": source.questionnaire_id,
        "language": source.language,
        "accepted_at": source.reviewed_at,
        "accepted_by": ACCEPTED_BY,
        "consented_at": share.consented_at,
    }
