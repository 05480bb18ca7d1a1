"""Load the example networks with their example assessments, score them and plan remediation.

Used by ``fairpath demo``: on a fresh machine it shows the whole flow (import, assessments,
scores, findings, plan, reimbursement, reports) on realistic data in one command.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, select

from audit.remediation import service as plans_service
from core.organisations.models import OrganisationKind
from core.organisations.service import get_or_create_organisation
from core.problems import Problems
from core.tenancy import Scope
from questionnaires import service as questionnaires
from questionnaires.answers import missing_required, visible_question_ids
from questionnaires.definition import Question, Questionnaire
from questionnaires.models import QuestionnaireRecord
from supplychain import formats
from supplychain import service as networks
from supplychain.models import Network, Node
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


def _best(question: Question) -> Any:
    if question.type in ("yes_no", "single_choice", "multi_choice"):
        options = question.options or []
        best = max(options, key=lambda o: (o.points or 0, o.red_flag is None, o.exclusive))
        if question.type == "multi_choice":
            if question.multi_scoring == "sum" and not best.exclusive:
                return [o.value for o in options if (o.points or 0) > 0 and not o.exclusive]
            return [best.value]
        return best.value
    if question.type == "number":
        if question.bands:
            band = max(question.bands, key=lambda b: b.points)
            value = band.min if band.min is not None else (question.min or 0)
            return int(value) if float(value).is_integer() else value
        return int(question.min or 0)
    if question.type == "date":
        return "2026-01-15"
    return "As set out in our written policy."


def complete_answers(questionnaire: Questionnaire, answers: dict[str, Any]) -> dict[str, Any]:
    """The given answers, with every other question asked answered by its best option.

    File questions stay unanswered (demo data has no documents). Follow-ups opened by a given
    answer are completed too; answers hidden by the given ones are dropped.
    """
    filled: dict[str, Any] = {}
    for _round in range(5):
        current = {**filled, **answers}
        for question_id in visible_question_ids(questionnaire, current):
            question = questionnaire.question(question_id)
            if question_id not in current and question.type != "file":
                filled[question_id] = _best(question)
        if not missing_required(questionnaire, {**filled, **answers}):
            break
    merged = {**filled, **answers}
    visible = set(visible_question_ids(questionnaire, merged))
    return {k: v for k, v in merged.items() if k in visible}


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


def load_example(
    session: Session, name: str, *, now: datetime, actor: questionnaires.Actor
) -> LoadedExample:
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
    session.flush()
    session.refresh(network)
    created = plans_service.plan_new_findings(
        session, network=network, now=now, user_id=actor.user_id
    )
    return LoadedExample(name, network, count, len(created))
