"""Load the example networks with their example assessments, score them and plan remediation.

Used by ``fairpath demo``: on a fresh machine it shows the whole flow (import, assessments,
scores, findings, plan, reimbursement, reports) on realistic data in one command.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml
from sqlmodel import Session, select

from audit.orientation.imports import import_sessions
from audit.remediation import service as plans_service
from audit.training.facts import validity_months
from audit.training.imports import import_trainings
from core.organisations.models import OrganisationKind
from core.organisations.service import get_or_create_organisation
from core.problems import Problems
from core.tenancy import Scope
from questionnaires import service as questionnaires
from questionnaires.answers import complete_answers
from questionnaires.models import QuestionnaireRecord
from supplychain import formats
from supplychain import service as networks
from supplychain.models import Network, Node
from supplychain.registry.licence_lists import import_licence_list
from supplychain.registry.models import LicenceList
from supplychain.schemas import NetworkCreate

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"
INSTALLED_EXAMPLES = Path(__file__).resolve().parents[2] / "supplychain" / "examples"
DEMO_NETWORKS = {
    "seafood-thailand": "Thai seafood supply chain",
    "electronics-malaysia": "Malaysian electronics supply chain",
}


def _company_name(nodes_csv: Path) -> str | None:
    """The buying company of an example is the organisation doing the due diligence."""
    with nodes_csv.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("kind") == "company":
                return row.get("name")
    return None


def examples_dir() -> Path:
    """The examples folder: in a checkout, or packaged inside an installed wheel."""
    return EXAMPLES_DIR if EXAMPLES_DIR.is_dir() else INSTALLED_EXAMPLES


@dataclass
class LoadedExample:
    name: str
    network: Network
    assessments: int
    actions: int
    problems: list[str] = field(default_factory=list)


def _latest(session: Session, key: str) -> QuestionnaireRecord:
    for record in questionnaires.list_questionnaires(
        session, scope=Scope.everything(), key=key, latest_only=True
    ):
        if record.organisation_id is None:
            return record
    raise LookupError(f"no library questionnaire {key!r}")


def load_assessments(
    session: Session, network: Network, path: Path, actor: questionnaires.Actor
) -> int:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    nodes = {
        n.external_id: n
        for n in session.exec(select(Node).where(Node.network_id == network.id)).all()
    }
    count = 0
    for entry in document.get("assessments", []):
        node = nodes[entry["node"]]
        record = _latest(session, entry["questionnaire"])
        parsed = questionnaires.parsed(record)
        answers = dict(entry.get("answers") or {})
        if entry.get("complete") == "best":
            answers = complete_answers(parsed, answers)
        assessment, _invitation, _secret = questionnaires.assign(
            session,
            scope=Scope.everything(),
            network=network,
            node=node,
            questionnaire=record,
            due_date=None,
            language="en",
            actor=actor,
            invitation_days=30,
        )
        questionnaires.save_answers(session, assessment=assessment, incoming=answers, actor=actor)
        questionnaires.submit(session, assessment=assessment, actor=actor)
        if entry.get("status", "accepted") == "accepted":
            questionnaires.review(
                session,
                assessment=assessment,
                decision="accept",
                comment="Demo: accepted",
                question_comments={},
                actor=actor,
            )
        count += 1
    return count


SAMPLE_LIST_HEADERS = {
    "licence_number": "Licence No.",
    "name": "Agency",
    "status": "Status",
    "valid_until": "Expiry",
}


def load_crest_records(
    session: Session, network: Network, folder: Path, *, now: datetime, actor: questionnaires.Actor
) -> None:
    """The example's fictional trainings (CREST pillar 1) and orientation sessions (pillar 2),
    imported as an analyst's attendance sheets would be, so the demo's coverage is partial."""
    trainings, sessions = folder / "trainings.csv", folder / "orientation.csv"
    if trainings.exists():
        import_trainings(
            session,
            network=network,
            filename=trainings.name,
            data=trainings.read_bytes(),
            today=now.date(),
            validity_months=validity_months(),
            dry_run=False,
            role=actor.role,
            user_id=actor.user_id,
        )
    licences = examples_dir() / "licence-lists" / "th-licences-illustrative.csv"
    if licences.exists() and not session.exec(select(LicenceList.id).limit(1)).first():
        # Once per database: the registry's lists are shared by every network.
        import_licence_list(
            session,
            authority="Department of Employment (Thailand), illustrative sample",
            country="TH",
            published_on=now.date(),
            source="examples/licence-lists (invented sample data, not the real list)",
            illustrative=True,
            filename=licences.name,
            data=licences.read_bytes(),
            mapping=SAMPLE_LIST_HEADERS,
            user_id=actor.user_id,
        )
    if sessions.exists():
        import_sessions(
            session,
            network=network,
            filename=sessions.name,
            data=sessions.read_bytes(),
            today=now.date(),
            dry_run=False,
            user_id=actor.user_id,
        )


def load_example(
    session: Session,
    name: str,
    *,
    now: datetime,
    actor: questionnaires.Actor,
    crest_records: bool = False,
) -> LoadedExample:
    """``crest_records``: also the example's trainings and orientation sessions (the demo's
    story); tests that count findings of the bare examples leave them out."""
    folder = examples_dir() / name
    title = DEMO_NETWORKS.get(name, name.replace("-", " ").title())
    organisation = get_or_create_organisation(
        session, _company_name(folder / "nodes.csv") or title, OrganisationKind.company
    )
    network = networks.create_network(
        session,
        scope=Scope.everything(),
        own_organisation_id=organisation.id or 0,
        data=NetworkCreate(name=title, description=f"Example network '{name}' (fictional names)"),
    )
    problems = Problems()
    raw = formats.read_upload(
        {
            part: (f"{part}.csv", (folder / f"{part}.csv").read_bytes())
            for part in ("nodes", "edges")
        },
        problems,
    )
    networks.import_network(
        session, network=network, raw=raw, mode="upsert", dry_run=False, problems=problems
    )
    questionnaires.ensure_library(session)
    assessments_file = folder / "assessments.yaml"
    count = (
        load_assessments(session, network, assessments_file, actor)
        if (assessments_file.exists())
        else 0
    )
    if crest_records:
        load_crest_records(session, network, folder, now=now, actor=actor)
    session.flush()
    session.refresh(network)
    created = plans_service.plan_new_findings(
        session, network=network, now=now, user_id=actor.user_id
    )
    return LoadedExample(name, network, count, len(created))
