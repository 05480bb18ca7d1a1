"""The shape of a questionnaire document, and the rules a valid one follows.

Questionnaires are data (YAML in the library, JSON through the API), so everything a scorer or a
form relies on is checked here once: ids are unique, ``show_if`` only looks back, options are
real, red flags are declared, tags name real principles. A document that passes can be scored and
rendered without further defensive code.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from questionnaires.standards import TAG_PREFIXES, principles
from supplychain.vocabulary import NodeKind, RecruiterRole

QuestionType = Literal["yes_no", "single_choice", "multi_choice", "number", "text", "date", "file"]
CHOICE_TYPES = frozenset({"yes_no", "single_choice", "multi_choice"})
YES_NO_VALUES = ("yes", "no")

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
QuestionId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")]
OptionValue = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
RedFlagCode = Annotated[str, Field(pattern=r"^RF_[A-Z0-9_]{2,60}$")]
Points = Annotated[float, Field(ge=0, le=100)]

# Answers other modules read by meaning rather than by question id (fees for reimbursement,
# licences for inherent risk). The type a question must have to carry each key.
DATA_KEYS: dict[str, frozenset[str]] = {
    "fees_charged_to_workers": frozenset({"yes_no", "single_choice"}),
    "fee_components": frozenset({"multi_choice"}),
    "fee_amount_per_worker_local": frozenset({"number"}),
    "fee_currency": frozenset({"single_choice"}),
    "fee_year_paid": frozenset({"number"}),
    "fee_amount_per_worker_usd": frozenset({"number"}),
    "workers_charged_count": frozenset({"number"}),
    "fees_reimbursed": frozenset({"yes_no", "single_choice"}),
    "licence_held": frozenset({"yes_no", "single_choice"}),
    "licence_number": frozenset({"text"}),
    "licence_expiry": frozenset({"date"}),
    "uses_subagents": frozenset({"yes_no", "single_choice"}),
    "subagent_count": frozenset({"number"}),
    "migrant_workers_count": frozenset({"number"}),
    "documents_retained": frozenset({"yes_no", "single_choice"}),
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class RedFlag(Strict):
    """An answer that signals possible forced labour or a breach of a core principle."""

    code: RedFlagCode
    severity: Literal["critical", "high"] = "critical"
    title: str = Field(min_length=3, max_length=200)
    description: str = Field(default="", max_length=2000)


class Option(Strict):
    value: OptionValue
    label: str = Field(min_length=1, max_length=300)
    points: Points | None = Field(
        default=None, description="Score of this answer; the best option of a question sets 100%."
    )
    red_flag: RedFlagCode | None = None
    exclusive: bool = Field(
        default=False, description="multi_choice: cannot be chosen with any other option"
    )


class Band(Strict):
    """A scored range of a number answer: ``min <= value < max`` (open ends allowed)."""

    min: float | None = None
    max: float | None = None
    points: Points
    red_flag: RedFlagCode | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError("a band's min must be below its max")
        return self

    def contains(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value < self.max)


class Condition(Strict):
    """When a question is shown. Exactly one test per condition; ``all``/``any`` combine them."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, frozen=True, populate_by_name=True
    )

    question: str | None = None
    equals: str | float | bool | None = None
    in_: list[str | float] | None = Field(default=None, alias="in")
    not_in: list[str | float] | None = None
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    answered: bool | None = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        tests = [
            name
            for name in ("equals", "in_", "not_in", "gt", "gte", "lt", "lte", "answered")
            if getattr(self, name) is not None
        ]
        combined = [name for name in ("all", "any") if getattr(self, name) is not None]
        if combined:
            if tests or self.question is not None or len(combined) > 1:
                raise ValueError("'all' or 'any' stands alone: no question or test beside it")
            if not (self.all or self.any):
                raise ValueError("'all'/'any' needs at least one condition")
            return self
        if self.question is None:
            raise ValueError("a condition names the earlier 'question' it tests")
        if len(tests) != 1:
            raise ValueError(
                "a condition has exactly one test: equals, in, not_in, gt, gte, lt, lte or answered"
            )
        return self

    def leaves(self) -> list[Condition]:
        if self.all is not None or self.any is not None:
            return [leaf for child in (self.all or self.any or []) for leaf in child.leaves()]
        return [self]

    def compared_values(self) -> list[Any]:
        if self.equals is not None:
            return [self.equals]
        return list(self.in_ or self.not_in or [])


class Question(Strict):
    id: QuestionId
    text: str = Field(min_length=3, max_length=1000)
    help: str = Field(default="", max_length=3000)
    type: QuestionType
    required: bool = True
    weight: float = Field(default=1.0, ge=0, le=10)
    options: list[Option] | None = None
    multi_scoring: Literal["min", "max", "sum"] = Field(
        default="min", description="multi_choice: how chosen options' points combine"
    )
    min: float | None = None
    max: float | None = None
    integer: bool = False
    unit: str | None = Field(default=None, max_length=40)
    bands: list[Band] | None = None
    max_length: int = Field(default=4000, ge=1, le=20000)
    past_only: bool = Field(default=False, description="date: not after today")
    show_if: Condition | None = None
    evidences: list[str] = Field(
        min_length=1,
        description="Principles and indicators this question evidences, e.g. 'iris:1', "
        "'ilo-fl:FL7', 'ilo-gp:GP7', 'epp:EPP'.",
    )
    data_key: str | None = None

    @field_validator("evidences")
    @classmethod
    def _known_tags(cls, tags: list[str]) -> list[str]:
        known = principles()
        unknown = [t for t in tags if t not in known]
        if unknown:
            raise ValueError(
                f"unknown principle tag(s) {', '.join(unknown)}; tags look like "
                f"{', '.join(p + ':…' for p in TAG_PREFIXES)}"
            )
        if len(set(tags)) != len(tags):
            raise ValueError("a tag is listed twice")
        return tags

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        kind = self.type
        if kind in CHOICE_TYPES:
            if kind == "yes_no" and self.options is None:
                object.__setattr__(
                    self,
                    "options",
                    [Option(value="yes", label="Yes"), Option(value="no", label="No")],
                )
            if not self.options:
                raise ValueError(f"a {kind} question needs options")
            values = [o.value for o in self.options]
            if len(set(values)) != len(values):
                raise ValueError("option values must be unique")
            if kind == "yes_no" and not set(values) <= set(YES_NO_VALUES):
                raise ValueError("yes_no options are 'yes' and 'no'")
            if kind != "multi_choice" and any(o.exclusive for o in self.options):
                raise ValueError("only multi_choice options can be exclusive")
            if len(values) < 2:
                raise ValueError("a choice question needs at least two options")
            scored = [o.points is not None for o in self.options]
            if any(scored) and not all(scored):
                raise ValueError("either every option has points or none does")
        elif self.options is not None:
            raise ValueError(f"a {kind} question has no options")
        if kind != "number" and (
            self.bands or self.min is not None or self.max is not None or self.integer
        ):
            raise ValueError("min, max, integer and bands belong to number questions")
        if kind != "number" and self.unit:
            raise ValueError("unit belongs to number questions")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is above max")
        if self.weight > 0 and not self._scorable():
            raise ValueError(
                "only scored questions carry a weight: give options points (or bands), "
                "or set weight: 0"
            )
        if self.data_key is not None:
            allowed = DATA_KEYS.get(self.data_key)
            if allowed is None:
                raise ValueError(
                    f"unknown data_key {self.data_key!r}; known: {', '.join(sorted(DATA_KEYS))}"
                )
            if kind not in allowed:
                raise ValueError(f"data_key {self.data_key} needs a {' or '.join(allowed)}")
        return self

    def _scorable(self) -> bool:
        if self.type in CHOICE_TYPES:
            return bool(self.options) and all(o.points is not None for o in self.options or [])
        return self.type == "number" and bool(self.bands)

    @property
    def is_scored(self) -> bool:
        return self.weight > 0 and self._scorable()

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options or [] if o.value == value), None)

    def max_points(self) -> float:
        if self.type == "number":
            return max((b.points for b in self.bands or []), default=0.0)
        points = [o.points or 0.0 for o in self.options or []]
        if self.type == "multi_choice" and self.multi_scoring == "sum":
            return sum(p for p in points if p > 0)
        return max(points, default=0.0)

    def points_for(self, value: Any) -> float | None:
        """Points earned by an answer, or None when the question or the answer is not scored."""
        if not self.is_scored or value is None:
            return None
        if self.type == "number":
            band = self._band(value)
            return band.points if band else None
        chosen = value if isinstance(value, list) else [value]
        points = [o.points for v in chosen if (o := self.option(v)) and o.points is not None]
        if not points:
            return None
        if self.type != "multi_choice":
            return points[0]
        if self.multi_scoring == "sum":
            return float(sum(points))
        return float(min(points) if self.multi_scoring == "min" else max(points))

    def fraction_for(self, value: Any) -> float | None:
        """The answer's score as a share of the best possible answer (0..1)."""
        points = self.points_for(value)
        best = self.max_points()
        if points is None or best <= 0:
            return None
        return min(1.0, points / best)

    def answer_words(self, value: Any) -> list[str]:
        """A stored answer as people read it: option labels, numbers with their unit.

        Stored answers are option values ("company_holds"); reports, findings and reviewers
        show what the respondent actually chose. File answers are ids and stay as they are.
        """
        if value is None or value == "" or value == []:
            return []
        if self.type in CHOICE_TYPES:
            chosen = value if isinstance(value, list) else [value]
            return [(o.label if (o := self.option(str(v))) else str(v)) for v in chosen]
        if self.type == "number" and isinstance(value, int | float):
            if self.is_year:  # "2024", not "2,024 year"
                return [f"{value:g}"]
            number = f"{value:,}"
            return [f"{number} {self.unit}" if self.unit else number]
        if isinstance(value, list):
            return [str(v) for v in value]
        return [str(value)]

    @property
    def is_year(self) -> bool:
        """A whole number between 1000 and 9999 (a year), in any language of its unit."""
        return (
            self.integer
            and self.min is not None
            and self.max is not None
            and 1000 <= self.min <= self.max <= 9999
        )

    def red_flags_for(self, value: Any) -> list[str]:
        if value is None:
            return []
        if self.type == "number":
            band = self._band(value)
            return [band.red_flag] if band and band.red_flag else []
        if self.type not in CHOICE_TYPES:
            return []
        chosen = value if isinstance(value, list) else [value]
        return [o.red_flag for v in chosen if (o := self.option(v)) and o.red_flag]

    def _band(self, value: Any) -> Band | None:
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            return None
        return next((b for b in self.bands or [] if b.contains(float(value))), None)


class Section(Strict):
    id: Slug
    title: str = Field(min_length=2, max_length=200)
    description: str = Field(default="", max_length=3000)
    questions: list[Question] = Field(min_length=1)


class AppliesTo(Strict):
    kinds: list[NodeKind] = Field(min_length=1)
    roles: list[RecruiterRole] | None = Field(
        default=None, description="Recruiter roles it applies to; all roles when omitted."
    )

    @model_validator(mode="after")
    def _roles_need_recruiters(self) -> AppliesTo:
        if self.roles and NodeKind.recruiter not in self.kinds:
            raise ValueError("roles only apply when kinds includes recruiter")
        return self


class Questionnaire(Strict):
    id: Slug
    version: int = Field(ge=1, le=10_000)
    title: str = Field(min_length=3, max_length=300)
    description: str = Field(default="", max_length=5000)
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    applies_to: AppliesTo
    sources: list[str] = Field(default_factory=list, description="Standards it was written from.")
    red_flags: list[RedFlag] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)

    @model_validator(mode="after")
    def _coherent(self) -> Questionnaire:
        problems: list[str] = []
        seen: dict[str, Question] = {}
        section_ids: set[str] = set()
        data_keys: set[str] = set()
        flags = {f.code for f in self.red_flags}
        if len(flags) != len(self.red_flags):
            problems.append("red_flags: a code is declared twice")
        used_flags: set[str] = set()
        for section in self.sections:
            if section.id in section_ids:
                problems.append(f"section {section.id}: id used twice")
            section_ids.add(section.id)
            for question in section.questions:
                where = f"question {question.id}"
                if question.id in seen:
                    problems.append(f"{where}: id used twice")
                if question.data_key:
                    if question.data_key in data_keys:
                        problems.append(f"{where}: data_key {question.data_key} used twice")
                    data_keys.add(question.data_key)
                for flag in _flags_named(question):
                    used_flags.add(flag)
                    if flag not in flags:
                        problems.append(f"{where}: red flag {flag} is not declared in red_flags")
                if question.show_if is not None:
                    problems.extend(_condition_problems(where, question.show_if, seen))
                seen[question.id] = question
        unused = sorted(flags - used_flags)
        if unused:
            problems.append(f"red_flags: {', '.join(unused)} declared but no answer raises it")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @cached_property
    def _index(self) -> dict[str, tuple[Section, Question]]:
        return {q.id: (s, q) for s in self.sections for q in s.questions}

    @cached_property
    def ordered_questions(self) -> tuple[Question, ...]:
        """All questions in order, computed once (scoring walks them for every assessment)."""
        return tuple(q for _, q in self._index.values())

    def questions(self) -> list[Question]:
        return list(self.ordered_questions)

    def question(self, question_id: str) -> Question:
        """The question with this id; KeyError if there is none."""
        return self._index[question_id][1]

    def section_of(self, question_id: str) -> Section:
        return self._index[question_id][0]

    def by_data_key(self, key: str) -> Question | None:
        return next((q for q in self.questions() if q.data_key == key), None)

    def red_flag(self, code: str) -> RedFlag | None:
        return next((f for f in self.red_flags if f.code == code), None)

    def applies_to_node(self, kind: str, role: str | None) -> bool:
        if kind not in {k.value for k in self.applies_to.kinds}:
            return False
        if kind == NodeKind.recruiter and self.applies_to.roles:
            return role in {r.value for r in self.applies_to.roles}
        return True

    def tags(self) -> set[str]:
        return {tag for q in self.questions() for tag in q.evidences}


def _flags_named(question: Question) -> list[str]:
    named = [o.red_flag for o in question.options or [] if o.red_flag]
    named += [b.red_flag for b in question.bands or [] if b.red_flag]
    return named


def _condition_problems(
    where: str, condition: Condition, earlier: dict[str, Question]
) -> list[str]:
    problems = []
    for leaf in condition.leaves():
        target = earlier.get(leaf.question or "")
        if target is None:
            problems.append(
                f"{where}: show_if refers to {leaf.question!r}, which is not an earlier question"
            )
            continue
        numeric = any(v is not None for v in (leaf.gt, leaf.gte, leaf.lt, leaf.lte))
        if numeric and target.type != "number":
            problems.append(f"{where}: show_if compares {target.id} as a number but it is not one")
        if target.type in CHOICE_TYPES:
            offered = {o.value for o in target.options or []}
            for value in leaf.compared_values():
                if value not in offered:
                    problems.append(
                        f"{where}: show_if tests {target.id} for {value!r}, which is not one of "
                        f"its options ({', '.join(sorted(offered))})"
                    )
    return problems


# Translations ---------------------------------------------------------------------------------


class QuestionTexts(Strict):
    text: str = Field(min_length=1)
    help: str = ""
    unit: str | None = None
    options: dict[str, str] = Field(default_factory=dict)


class SectionTexts(Strict):
    title: str = Field(min_length=1)
    description: str = ""


class Translation(Strict):
    """The words of one questionnaire version in another language; ids and values stay English.

    Answers are stored by option value, so a respondent can switch language mid-way and a
    reviewer reads the same answers in English.
    """

    questionnaire: Slug
    version: int = Field(ge=1)
    language: str = Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    language_name: str = Field(min_length=2, description="The language's own name for itself.")
    review_status: Literal[
        "machine_translated_not_reviewed",
        "draft_not_reviewed_by_native_speaker",
        "reviewed_by_native_speaker",
    ]
    review_note: str = ""
    title: str = Field(min_length=1)
    description: str = ""
    sections: dict[str, SectionTexts]
    questions: dict[str, QuestionTexts]
    red_flags: dict[str, str] = Field(default_factory=dict)


def translation_problems(questionnaire: Questionnaire, translation: Translation) -> list[str]:
    """What a translation misses or invents; an empty list means it covers the whole version."""
    problems: list[str] = []
    if (translation.questionnaire, translation.version) != (
        questionnaire.id,
        questionnaire.version,
    ):
        problems.append(
            f"translation is for {translation.questionnaire} v{translation.version}, not "
            f"{questionnaire.id} v{questionnaire.version}"
        )
    for section in questionnaire.sections:
        if section.id not in translation.sections:
            problems.append(f"section {section.id}: no translated title")
        elif section.description and not translation.sections[section.id].description:
            problems.append(f"section {section.id}: no translated description")
    for question in questionnaire.questions():
        texts = translation.questions.get(question.id)
        if texts is None:
            problems.append(f"question {question.id}: not translated")
            continue
        if question.help and not texts.help:
            problems.append(f"question {question.id}: help text not translated")
        if question.unit and not texts.unit:
            problems.append(f"question {question.id}: unit not translated")
        for option in question.options or []:
            if not texts.options.get(option.value):
                problems.append(f"question {question.id}: option {option.value} not translated")
        extra = set(texts.options) - {o.value for o in question.options or []}
        if extra:
            problems.append(
                f"question {question.id}: translates unknown options {', '.join(sorted(extra))}"
            )
    known_questions = {q.id for q in questionnaire.questions()}
    for unknown in sorted(set(translation.questions) - known_questions):
        problems.append(f"question {unknown}: not in the questionnaire")
    for unknown in sorted(set(translation.sections) - {s.id for s in questionnaire.sections}):
        problems.append(f"section {unknown}: not in the questionnaire")
    for flag in questionnaire.red_flags:
        if flag.code not in translation.red_flags:
            problems.append(f"red flag {flag.code}: title not translated")
    return problems


def localise(questionnaire: Questionnaire, translation: Translation) -> Questionnaire:
    """The same questionnaire with the translation's words; English stays where one is missing."""
    document = questionnaire.model_dump(mode="json", by_alias=True, exclude_none=True)
    document["language"] = translation.language
    document["title"] = translation.title or document["title"]
    document["description"] = translation.description or document.get("description", "")
    for section in document["sections"]:
        section_texts = translation.sections.get(section["id"])
        if section_texts:
            section["title"] = section_texts.title
            section["description"] = section_texts.description or section.get("description", "")
        for question in section["questions"]:
            texts = translation.questions.get(question["id"])
            if texts is None:
                continue
            question["text"] = texts.text
            question["help"] = texts.help or question.get("help", "")
            if texts.unit and question.get("unit"):
                question["unit"] = texts.unit
            for option in question.get("options", []):
                option["label"] = texts.options.get(option["value"], option["label"])
    for flag in document.get("red_flags", []):
        flag["title"] = translation.red_flags.get(flag["code"], flag["title"])
    return Questionnaire.model_validate(document)
