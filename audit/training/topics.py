"""The curated training topics, as validated YAML data (``topics.yaml``).

A fixed list rather than free text, so that coverage can later be asked per topic ("who has
been trained on the Employer Pays Principle?") and every topic says which standard it teaches.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

TOPICS_FILE = Path(__file__).with_name("topics.yaml")


class Topic(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$")
    label: str = Field(min_length=5, max_length=200)
    sources: list[str] = Field(min_length=1)


class TopicList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    topics: list[Topic] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> TopicList:
        ids = [t.id for t in self.topics]
        if len(set(ids)) != len(ids):
            raise ValueError("topic ids must be unique")
        return self

    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.topics)

    def label(self, topic_id: str) -> str:
        return next((t.label for t in self.topics if t.id == topic_id), topic_id)


@cache
def training_topics() -> TopicList:
    return TopicList.model_validate(yaml.safe_load(TOPICS_FILE.read_text("utf-8")))
