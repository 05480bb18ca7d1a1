"""Which findings a scored network yields: the rules, kept pure so each can be tested alone.

- red flags: one finding per node and red-flag code, of the flag's severity (critical, or high
  for excessive overtime), citing in words every answer that raised it and the principles those
  questions evidence (``redflag:<node>:<code>``);
- weak principles: one ``WEAK_PRINCIPLE`` finding per node listing each principle scoring below
  75 with its score and weakest answers; each principle is high below 40, medium below 60, low
  below 75 (``PRINCIPLE_THRESHOLDS``) and the finding takes the worst (``principle:<node>``);
- unverified answers ("we do not know", "we did not check"): one ``VERIFY_UNCONFIRMED`` finding
  per node (medium), a due-diligence gap answered by verification, never by a remedy that
  presumes harm (``verify:<node>``);
- data quality: a respondent's USD fee further than the profile's ``fee_usd_tolerance`` (10 %)
  from the sourced conversion of their local amount (``DQ_FEE_USD_MISMATCH``, medium);
- data gaps: a recruiter without any assessment (``GAP_UNASSESSED_RECRUITER``: high for
  sub-agents and informal brokers, medium for agencies), an assessment older than the profile's
  maximum age (``GAP_STALE_ASSESSMENT``, medium), an employer declaring migrant workers with no
  recruiter mapped (``GAP_UNMAPPED_RECRUITMENT``, high), a recruiter without a licence
  (``GAP_UNLICENSED_RECRUITER``, high) unless its own answers already raised the unlicensed
  red flag;
- training gaps (CREST pillar 1): a supplier with migrant workers, or a recruiter, whose staff
  hold no current training (``GAP_NO_CURRENT_TRAINING``, medium), naming the last training's
  date or "none recorded" (``audit.training.coverage`` decides what is current);
- orientation gaps (CREST pillar 2): a mapped corridor placing workers with no pre-departure or
  no post-arrival session (``GAP_NO_PREDEPARTURE_ORIENTATION``, ``GAP_NO_POSTARRIVAL_ORIENTATION``,
  medium, on the corridor's main employer), an employer with no post-arrival session of its own
  (the same code, unless its corridors' own gaps already name it), and sessions given in a
  language the workers do not speak (``GAP_ORIENTATION_LANGUAGE``, high); ``audit.orientation.
  coverage`` counts and decides.

Each finding has a stable key built from what it is about (rule, node's external id, cause),
never from database ids or scores, so re-scoring updates it instead of duplicating.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import networkx as nx

from audit.orientation.coverage import (
    STAGE_WORDS,
    OrientationFacts,
    language_mismatches,
    orientation_coverage,
    orientation_gaps,
)
from audit.training.coverage import TrainingFacts, expires_on, is_current, needs_training
from core.numbers import counted, plural_word
from core.severity import SEVERITY_RANK
from questionnaires.standards import principles
from scoring.compliance import ComplianceResult, RedFlagHit
from scoring.facts import AssessmentFacts, NodeFacts
from scoring.fee_rules import judge as judge_fee
from scoring.fee_rules import rules_for as fee_rules_for
from scoring.network import NetworkScores, NodeScore
from scoring.reference import ReferenceData
from scoring.reimbursement import amount, fee_conversion, fees_reported, rate_words
from supplychain.registry.licences import LicenceCheck

PRINCIPLE_THRESHOLDS: tuple[tuple[float, str], ...] = ((40, "high"), (60, "medium"), (75, "low"))
RISKY_ROLES = frozenset({"sub_agent", "informal_broker"})
# Option values meaning "nobody looked": a gap in due diligence, not evidence of harm.
UNVERIFIED_ANSWERS = frozenset({"not_checked", "dont_know"})


@dataclass
class FindingDraft:
    key: str
    code: str
    severity: str
    node_id: int | None
    principle: str | None
    title: str
    detail: str
    evidence: dict[str, Any] = field(default_factory=dict)
    chain: list[int] = field(default_factory=list)


def towards_company(graph: nx.MultiDiGraph, company: int | None) -> dict[int, int]:
    """Each node's next hop on a shortest path to the company, from one breadth-first walk
    backwards from it: a whole network's chains for the cost of one search, instead of one
    shortest-path search per node (which took most of the findings' time on 100,000 nodes)."""
    if company is None:
        return {}
    next_hop: dict[int, int] = {company: company}
    frontier = [company]
    while frontier:
        following = []
        for node in frontier:
            for source in sorted(graph.predecessors(node)):
                if source not in next_hop:
                    next_hop[source] = node
                    following.append(source)
        frontier = following
    return next_hop


def chain_to(next_hop: dict[int, int], node_id: int) -> list[int]:
    if node_id not in next_hop:
        return [node_id]
    chain = [node_id]
    while next_hop[chain[-1]] != chain[-1]:
        chain.append(next_hop[chain[-1]])
    return [int(n) for n in chain]


def principle_severity(score: float) -> str | None:
    for limit, severity in PRINCIPLE_THRESHOLDS:
        if score < limit:
            return severity
    return None


def generate(
    graph: nx.MultiDiGraph,
    scores: NetworkScores,
    now: datetime,
    reference: ReferenceData | None = None,
    nodes: Collection[int] | None = None,
    trainings: TrainingFacts | None = None,
    orientation: OrientationFacts | None = None,
    licences: Mapping[int, LicenceCheck] | None = None,
) -> list[FindingDraft]:
    """The findings the scores imply, for every node or only ``nodes``: a node's findings
    depend on its own score, its chain to the company, the profile and the date, so after a
    re-score only the re-scored nodes need generating again. Without ``trainings`` no
    training-gap finding is drawn (nothing is known of trainings, which is not "none"), and
    without ``orientation`` no orientation finding. Orientation findings are about corridors,
    drawn for the whole network and kept for the nodes asked for (the node each names)."""
    drafts: list[FindingDraft] = []
    next_hop = towards_company(graph, scores.company)
    chosen = (
        scores.nodes if nodes is None else {n: scores.nodes[n] for n in nodes if n in scores.nodes}
    )
    for node_id, score in chosen.items():
        chain = chain_to(next_hop, node_id)
        assessment = score.assessment
        compliance = score.compliance
        if compliance is not None and assessment is not None:
            drafts.extend(_red_flag_findings(score, compliance, assessment, chain))
            weak = _weak_principles_finding(score, compliance, assessment, chain)
            if weak is not None:
                drafts.append(weak)
            unverified = _verification_finding(score, compliance, assessment, chain)
            if unverified is not None:
                drafts.append(unverified)
            drafts.extend(_legal_fee_findings(graph, score, assessment, chain))
            if reference is not None:
                mismatch = _fee_usd_mismatch(
                    score, assessment, reference, scores.profile.fee_usd_tolerance, chain
                )
                if mismatch is not None:
                    drafts.append(mismatch)
        drafts.extend(_gap_findings(graph, scores, node_id, chain, now))
        if trainings is not None:
            gap = _training_gap(score.node, chain, trainings, now)
            if gap is not None:
                drafts.append(gap)
        if licences is not None and node_id in licences:
            drafts.append(_licence_finding(score.node, chain, licences[node_id]))
    if orientation is not None:
        drafts.extend(
            d
            for d in _orientation_findings(graph, scores, next_hop, orientation)
            if nodes is None or d.node_id in chosen
        )
    return sorted(drafts, key=lambda d: (SEVERITY_RANK[d.severity], d.key))


def _assessment_evidence(assessment: AssessmentFacts) -> dict[str, Any]:
    return {
        "assessment_id": assessment.assessment_id,
        "questionnaire": assessment.questionnaire_label,
        "status": assessment.status,
    }


def _red_flag_findings(
    score: NodeScore,
    compliance: ComplianceResult,
    assessment: AssessmentFacts,
    chain: list[int],
) -> list[FindingDraft]:
    """One finding per node and red flag, citing every answer that raised it: a flag raised by
    the fee question and by the orientation-costs question keeps both answers, in words."""
    node = score.node
    by_code: dict[str, list[RedFlagHit]] = {}
    for flag in compliance.red_flags:
        by_code.setdefault(flag.code, []).append(flag)
    drafts = []
    for code, hits in by_code.items():
        first = hits[0]
        tags = list(dict.fromkeys(tag for hit in hits for tag in hit.evidences))
        cited = "; ".join(
            f"{hit.question_id} ({hit.question_text}): {hit.answer_words or _show(hit.answer)}"
            for hit in hits
        )
        label = plural_word(len(hits), "Answer", f"{len(hits)} answers")
        drafts.append(
            FindingDraft(
                key=f"redflag:{node.external_id}:{code}",
                code=code,
                severity=first.severity,
                node_id=node.id,
                principle=first.evidences[0] if first.evidences else None,
                title=f"{first.title}: {node.name}",
                detail=f"{label}: {cited}",
                evidence={
                    **_assessment_evidence(assessment),
                    # The first answer's fields stay at the top level for older readers.
                    "question_id": first.question_id,
                    "question": first.question_text,
                    "answer": first.answer,
                    "evidences": tags,
                    "answers": [
                        {
                            "question_id": hit.question_id,
                            "question": hit.question_text,
                            "answer": hit.answer,
                            "answer_words": hit.answer_words or _show(hit.answer),
                            "evidences": list(hit.evidences),
                        }
                        for hit in hits
                    ],
                },
                chain=chain,
            )
        )
    return drafts


def _weak_principles_finding(
    score: NodeScore,
    compliance: ComplianceResult,
    assessment: AssessmentFacts,
    chain: list[int],
) -> FindingDraft | None:
    """All of a node's weak principles as one finding, each with its score and weakest answers:
    one recruiter answering badly is one problem to follow up, not thirty."""
    known = principles()
    weak = [
        (tag, value, severity)
        for tag, value in compliance.principles.items()
        if (severity := principle_severity(value)) is not None
    ]
    if not weak:
        return None
    weak.sort(key=lambda item: (item[1], item[0]))
    node = score.node
    ranked = compliance.weakest(len(compliance.scored_answers))
    listed = [
        {
            "tag": tag,
            "label": known[tag].label if tag in known else tag,
            "score": value,
            "severity": severity,
            "answers": [
                {
                    "question_id": c.question_id,
                    "question": c.question_text,
                    "answer": c.answer,
                    "fraction": round(c.fraction, 2),
                }
                for c in [c for c in ranked if tag in c.evidences][:3]
            ],
        }
        for tag, value, severity in weak
    ]
    worst = min((severity for _t, _v, severity in weak), key=lambda s: SEVERITY_RANK[s])
    summary = "; ".join(f"{p['label']} {p['score']:g}/100 ({p['severity']})" for p in listed)
    count = counted(len(weak), "principle", "principles")
    return FindingDraft(
        key=f"principle:{node.external_id}",
        code="WEAK_PRINCIPLE",
        severity=worst,
        node_id=node.id,
        principle=weak[0][0],
        title=f"Weak on {count}: {node.name}",
        detail=f"Below 75/100 (high < 40, medium < 60, low < 75): {summary}.",
        evidence={
            **_assessment_evidence(assessment),
            "score": weak[0][1],
            "principles": listed,
        },
        chain=chain,
    )


def _verification_finding(
    score: NodeScore,
    compliance: ComplianceResult,
    assessment: AssessmentFacts,
    chain: list[int],
) -> FindingDraft | None:
    """Answers such as "we do not know" or "we did not check" report no harm, only that nobody
    looked: a due-diligence gap to verify (worker interviews, document checks), never a remedy
    that presumes the harm happened."""
    questionnaire = compliance.questionnaire
    open_answers = []
    for question_id, answer, _fraction in compliance.scored_answers:
        chosen = answer if isinstance(answer, list) else [answer]
        unverified = [value for value in chosen if value in UNVERIFIED_ANSWERS]
        if not unverified:
            continue
        question = questionnaire.question(question_id)
        open_answers.append(
            {
                "question_id": question_id,
                "question": question.text,
                "answer": answer,
                "answer_words": ", ".join(question.answer_words(unverified)),
                "evidences": list(question.evidences),
            }
        )
    if not open_answers:
        return None
    node = score.node
    cited = "; ".join(
        f"{a['question_id']} ({a['question']}): {a['answer_words']}" for a in open_answers
    )
    tags = list(dict.fromkeys(tag for a in open_answers for tag in a["evidences"]))
    return FindingDraft(
        key=f"verify:{node.external_id}",
        code="VERIFY_UNCONFIRMED",
        severity="medium",
        node_id=node.id,
        principle=tags[0] if tags else None,
        title=f"Not checked, to verify: {node.name}",
        detail=f"{counted(len(open_answers), 'answer says', 'answers say')} nobody "
        f"checked or knows: {cited}. Verify with workers and documents before concluding.",
        evidence={**_assessment_evidence(assessment), "answers": open_answers, "evidences": tags},
        chain=chain,
    )


def _fee_usd_mismatch(
    score: NodeScore,
    assessment: AssessmentFacts,
    reference: ReferenceData,
    tolerance: float,
    chain: list[int],
) -> FindingDraft | None:
    """The respondent's USD figure is far from the sourced conversion of their local amount: the
    conversion is used, and the respondent is asked which figure is right."""
    if not fees_reported(assessment):
        return None
    conversion = fee_conversion(assessment, reference, tolerance)
    if not conversion.flagged or conversion.rate is None:
        return None
    node = score.node
    local = conversion.per_worker_local or 0
    sourced = round(conversion.per_worker_usd or 0, 2)
    at_rate = rate_words(conversion.rate, conversion.year_paid)
    return FindingDraft(
        key=f"dataquality:fee-usd:{node.external_id}",
        code="DQ_FEE_USD_MISMATCH",
        severity="medium",
        node_id=node.id,
        principle="ilo-fees:FEE",
        title=f"Fee in USD does not match the local amount: {node.name}",
        detail=f"Answered {conversion.currency} {amount(local)} per worker and USD "
        f"{amount(conversion.respondent_usd or 0)}. At {at_rate}, "
        f"{conversion.currency} {amount(local)} is USD {amount(sourced)}: "
        f"{conversion.difference:.0%} apart (tolerance {tolerance:.0%}). The sourced conversion "
        "is used; ask the respondent to confirm both amounts.",
        evidence={
            **_assessment_evidence(assessment),
            "local_amount": local,
            "currency": conversion.currency,
            "respondent_usd": conversion.respondent_usd,
            "sourced_usd": sourced,
            "rate": conversion.rate.units_per_usd,
            "rate_year": conversion.rate.year,
            "rate_source": conversion.rate.source_title,
            "year_paid": conversion.year_paid,
            "difference": conversion.difference,
            "tolerance": tolerance,
        },
        chain=chain,
    )


def _gap_findings(
    graph: nx.MultiDiGraph,
    scores: NetworkScores,
    node_id: int,
    chain: list[int],
    now: datetime,
) -> list[FindingDraft]:
    score = scores.nodes[node_id]
    node = score.node
    drafts: list[FindingDraft] = []
    if node.kind == "recruiter" and score.assessment is None:
        drafts.append(
            FindingDraft(
                key=f"gap:unassessed:{node.external_id}",
                code="GAP_UNASSESSED_RECRUITER",
                severity="high" if node.role in RISKY_ROLES else "medium",
                node_id=node_id,
                principle=None,
                title=f"Recruiter not assessed: {node.name}",
                detail=f"{(node.role or 'recruiter').replace('_', ' ')} in {node.country} has no "
                "submitted self-assessment.",
                chain=chain,
            )
        )
    if score.assessment is not None:
        age = (now - score.assessment.completed_at).days
        if age > scores.profile.assessment_max_age_days:
            drafts.append(
                FindingDraft(
                    key=f"gap:stale:{node.external_id}",
                    code="GAP_STALE_ASSESSMENT",
                    severity="medium",
                    node_id=node_id,
                    principle=None,
                    title=f"Assessment out of date: {node.name}",
                    detail=f"The assessment is {age} days old (limit "
                    f"{scores.profile.assessment_max_age_days}).",
                    evidence={"assessment_id": score.assessment.assessment_id},
                    chain=chain,
                )
            )
    if (
        node.kind == "recruiter"
        and score.licensed is False
        and not any(f.code == "RF_UNLICENSED_OPERATION" for f in score.red_flags)
    ):
        drafts.append(
            FindingDraft(
                key=f"gap:unlicensed:{node.external_id}",
                code="GAP_UNLICENSED_RECRUITER",
                severity="high",
                node_id=node_id,
                principle="iris:A",
                title=f"Recruiter without a known licence: {node.name}",
                detail="No licence number in the network and no assessment answer confirming one.",
                chain=chain,
            )
        )
    if node.kind in ("supplier", "company") and (node.migrant_workers or 0) > 0:
        delivered = any(
            d["kind"] in ("recruits_for", "employed_by")
            for _s, _t, d in graph.in_edges(node_id, data=True)
        )
        if not delivered:
            drafts.append(
                FindingDraft(
                    key=f"gap:unmapped:{node.external_id}",
                    code="GAP_UNMAPPED_RECRUITMENT",
                    severity="high",
                    node_id=node_id,
                    principle="crest:PILLAR-3",
                    title=f"Recruitment not mapped: {node.name}",
                    detail=f"Declares {node.migrant_workers} migrant workers but no recruiter or "
                    "worker group is mapped to it.",
                    chain=chain,
                )
            )
    return drafts


def _training_gap(
    node: NodeFacts, chain: list[int], trainings: TrainingFacts, now: datetime
) -> FindingDraft | None:
    """CREST pillar 1: the employers of migrant workers and their recruiters must have staff
    trained on trafficking, forced labour and ethical recruitment; a gap is answered by a
    training (the plan's training action), not by presuming any harm."""
    if not needs_training(node.kind, node.migrant_workers):
        return None
    months = trainings.validity_months
    last = trainings.last.get(node.id)
    if last is not None and is_current(last[0], now.date(), months):
        return None
    if last is None:
        said = "No training recorded"
        evidence: dict[str, Any] = {"last_training": "none recorded"}
    else:
        trained_on, training_id = last
        expired = expires_on(trained_on, months)
        said = f"Last training on {trained_on.isoformat()}, out of date since {expired.isoformat()}"
        evidence = {
            "last_training": trained_on.isoformat(),
            "last_training_id": training_id,
            "expired_on": expired.isoformat(),
        }
    who = "recruiter" if node.kind == "recruiter" else "supplier with migrant workers"
    return FindingDraft(
        key=f"gap:training:{node.external_id}",
        code="GAP_NO_CURRENT_TRAINING",
        severity="medium",
        node_id=node.id,
        principle="crest:PILLAR-1",
        title=f"No current training: {node.name}",
        detail=f"{said} for this {who}'s staff (a training counts for {months} months).",
        evidence={**evidence, "validity_months": months},
        chain=chain,
    )


EPP_SOURCE = (
    "Institute for Human Rights and Business (IHRB), Employer Pays Principle: the employer, "
    "not the worker, carries the full cost of recruitment (https://www.ihrb.org/employerpays/)"
)


def _workers_of(graph: nx.MultiDiGraph, node_id: int) -> list[dict[str, Any]]:
    """The recruiter itself and the nodes it recruits for: their sector says what work the
    workers do, their wage what a month's salary is."""
    found = [graph.nodes[node_id]]
    for _source, target, data in graph.out_edges(node_id, data=True):
        if data.get("kind") in ("recruits_for", "refers_to"):
            found.append(graph.nodes[target])
    return found


def _legal_fee_findings(
    graph: nx.MultiDiGraph, score: NodeScore, assessment: AssessmentFacts, chain: list[int]
) -> list[FindingDraft]:
    """A fee the origin country's law forbids or caps, judged on the corridor it was charged
    on, cited against both the law (with its source) and the Employer Pays Principle's zero: a
    fee within the law is still one the worker should not pay (the red-flag finding says so)."""
    if not fees_reported(assessment):
        return []
    question = assessment.questionnaire.by_data_key("fee_amount_per_worker_local")
    currency_question = assessment.questionnaire.by_data_key("fee_currency")
    fee = assessment.answers.get(question.id) if question else None
    currency = assessment.answers.get(currency_question.id) if currency_question else None
    if not isinstance(fee, int | float) or isinstance(fee, bool) or not currency:
        return []
    others = _workers_of(graph, score.node.id)
    domestic = any(n.get("sector") == "domestic_work" for n in others)
    wage = next((n for n in others if n.get("monthly_wage")), None)
    drafts: list[FindingDraft] = []
    for origin, destination in score.corridors:
        for rule in fee_rules_for(origin, destination, "domestic_work" if domestic else None):
            breach = judge_fee(
                rule,
                float(fee),
                str(currency).upper(),
                wage.get("monthly_wage") if wage else None,
                wage.get("wage_currency") if wage else None,
            )
            if breach is None:
                continue
            who = "a domestic worker" if rule.worker_category == "domestic_work" else "a worker"
            drafts.append(
                FindingDraft(
                    key=f"legal-fee:{score.node.external_id}:{origin}-{destination}",
                    code="FEE_ABOVE_LEGAL_LIMIT",
                    severity="high",
                    node_id=score.node.id,
                    principle="epp:EPP",
                    title=f"Fee against {origin} law: {score.node.name}",
                    detail=(
                        f"{score.node.name} charges {breach.fee:,.0f} {breach.currency} per worker"
                        f" on {origin}-{destination}; for {who} from {origin}, "
                        f"{breach.words} (since {rule.effective_from.isoformat()}). Under the "
                        "Employer Pays Principle the worker pays nothing at all."
                    ),
                    evidence={
                        **_assessment_evidence(assessment),
                        "fee_per_worker": breach.fee,
                        "currency": breach.currency,
                        "legal_limit": breach.limit,
                        "legal_rule": {
                            "origin": rule.origin,
                            "rule": rule.rule,
                            "worker_category": rule.worker_category,
                            "effective_from": rule.effective_from.isoformat(),
                            "source": rule.source_title,
                            "source_url": rule.source_url,
                            "source_quality": rule.source_quality,
                        },
                        "employer_pays_principle": {"limit": 0, "source": EPP_SOURCE},
                    },
                    chain=chain,
                )
            )
            break  # the first rule that applies on this corridor is the law there
    return drafts


LICENCE_CODES = {
    "missing": "LICENCE_MISSING",
    "not_on_list": "LICENCE_NOT_ON_LIST",
    "expired": "LICENCE_EXPIRED",
    "revoked": "LICENCE_REVOKED",
    "suspended": "LICENCE_SUSPENDED",
}
_LICENCE_SAID = {
    "missing": "records no licence number, and {list} lists every licensed recruiter",
    "not_on_list": "holds licence {licence}, which is not on {list}",
    "expired": "holds licence {licence}, expired on {list}",
    "revoked": "holds licence {licence}, revoked on {list}",
    "suspended": "holds licence {licence}, suspended on {list}",
}


def _licence_finding(node: NodeFacts, chain: list[int], check: LicenceCheck) -> FindingDraft:
    """A recruiter recruiting without a licence that stands (ILO General Principle 5: recruiters
    are registered or licensed), named against the authority list and its date, so a reader can
    check the same list; sample lists say so."""
    lst = check.list
    cited = f"{lst.authority}'s list of {lst.published_on.isoformat()}"
    if lst.illustrative:
        cited += " (an illustrative sample list, not real data)"
    said = _LICENCE_SAID[check.problem].format(licence=check.licence, list=cited)
    if check.problem == "expired" and check.listed and check.listed.valid_until:
        said += f" (valid until {check.listed.valid_until.isoformat()})"
    return FindingDraft(
        key=f"licence:{node.external_id}",
        code=LICENCE_CODES[check.problem],
        severity="high",
        node_id=node.id,
        principle="ilo-gp:GP5",
        title=f"Licence does not stand: {node.name}",
        detail=f"{node.name} {said}.",
        evidence={
            "licence": check.licence,
            "problem": check.problem,
            "listed_status": check.listed.status if check.listed else None,
            "listed_valid_until": (
                check.listed.valid_until.isoformat()
                if check.listed and check.listed.valid_until
                else None
            ),
            "list": {
                "id": lst.id,
                "authority": lst.authority,
                "country": lst.country,
                "published_on": lst.published_on.isoformat(),
                "source": lst.source,
                "illustrative": lst.illustrative,
            },
        },
        chain=chain,
    )


def _corridor(origin: str | None, destination: str | None) -> str:
    return f"{origin or '?'}-{destination or '?'}"


def _percent(share: float | None) -> str:
    return "unknown" if share is None else f"{share:.0%}"


def _orientation_findings(
    graph: nx.MultiDiGraph,
    scores: NetworkScores,
    next_hop: dict[int, int],
    facts: OrientationFacts,
) -> list[FindingDraft]:
    """CREST pillar 2: migrant workers are oriented before they leave and again at the
    workplace. A missing stage is a due-diligence gap (medium, like a training gap: answered by
    orienting the workers, not by presuming harm). A session in a language the workers do not
    speak is high: the record says workers were told of their contract, fees and grievance
    channels when they could not understand it, and the ILO General Principles ask that terms
    be given in a language the worker understands; a gap that looks closed hides a real one."""
    result = orientation_coverage(graph, facts.sessions)
    corridor_gaps, employer_gaps = orientation_gaps(result)
    drafts: list[FindingDraft] = []
    names = {e.node_id: e.name for e in result.employers}
    for gap in corridor_gaps:
        row, stage = gap.corridor, gap.stage
        node = row.main_employer if row.main_employer is not None else scores.company
        label = _corridor(row.origin, row.destination)
        recruited = "an unknown number of" if row.recruited is None else f"{row.recruited:,}"
        other = "post_arrival" if stage == "pre_departure" else "pre_departure"
        code = "PREDEPARTURE" if stage == "pre_departure" else "POSTARRIVAL"
        drafts.append(
            FindingDraft(
                key=f"gap:orientation:{stage}:{label}",
                code=f"GAP_NO_{code}_ORIENTATION",
                severity="medium",
                node_id=node,
                principle="crest:PILLAR-2",
                title=f"No {STAGE_WORDS[stage]} orientation: {label}",
                detail=f"{recruited} workers recruited {row.origin} to {row.destination} and no "
                f"{STAGE_WORDS[stage]} orientation session recorded (0 %); "
                f"{STAGE_WORDS[other]}: {_percent(row.stage(other).share)}.",
                evidence={
                    "corridor": label,
                    "recruited": row.recruited if row.recruited is not None else "unknown",
                    "pre_departure_oriented": row.pre_departure.oriented,
                    "pre_departure_share": row.pre_departure.share,
                    "post_arrival_oriented": row.post_arrival.oriented,
                    "post_arrival_share": row.post_arrival.share,
                    "employers": [names.get(e, str(e)) for e in row.employers],
                },
                chain=chain_to(next_hop, node) if node is not None else [],
            )
        )
    for employer_gap in employer_gaps:
        item = employer_gap.employer
        recruited = "an unknown number of" if item.recruited is None else f"{item.recruited:,}"
        drafts.append(
            FindingDraft(
                key=f"gap:orientation:post_arrival:employer:{item.external_id}",
                code="GAP_NO_POSTARRIVAL_ORIENTATION",
                severity="medium",
                node_id=item.node_id,
                principle="crest:PILLAR-2",
                title=f"No post-arrival orientation: {item.name}",
                detail=f"{recruited} migrant workers placed here and no post-arrival orientation "
                "session recorded at this workplace.",
                evidence={
                    "recruited": item.recruited if item.recruited is not None else "unknown",
                    "corridors": [_corridor(*c) for c in item.corridors],
                },
                chain=chain_to(next_hop, item.node_id),
            )
        )
    for mismatch in language_mismatches(graph, facts):
        label = _corridor(mismatch.origin, mismatch.destination)
        mapped = result.corridor(mismatch.origin, mismatch.destination)
        node = mismatch.employer_node_id
        if node is None:
            main = mapped.main_employer if mapped is not None else None
            node = main if main is not None else scores.company
        where = ""
        if mismatch.employer_node_id is not None and node in graph:
            where = f":{graph.nodes[node]['external_id']}"
        spoken = ", ".join(mismatch.spoken.languages)
        drafts.append(
            FindingDraft(
                key=f"gap:orientation-language:{label}:{mismatch.language}{where}",
                code="GAP_ORIENTATION_LANGUAGE",
                severity="high",
                node_id=node,
                principle="crest:PILLAR-2",
                title=f"Orientation in a language the workers may not speak: {label}",
                detail=f"{len(mismatch.session_ids)} session(s) reaching "
                f"{mismatch.workers_reached:,} workers were given in {mismatch.language!r}; the "
                f"workers of {label} speak {spoken} (source: {mismatch.spoken.source}).",
                evidence={
                    "corridor": label,
                    "language": mismatch.language,
                    "session_ids": list(mismatch.session_ids),
                    "workers_reached": mismatch.workers_reached,
                    "workers_speak": list(mismatch.spoken.languages),
                    "languages_source": mismatch.spoken.source,
                    "worker_groups": list(mismatch.spoken.groups),
                },
                chain=chain_to(next_hop, node) if node is not None else [],
            )
        )
    return drafts


def _show(answer: Any) -> str:
    if isinstance(answer, list):
        return ", ".join(str(a) for a in answer)
    return str(answer)
