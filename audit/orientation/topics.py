"""The curated orientation topics, as validated YAML data (``topics.yaml``).

The same shape as the training topics (``audit.training.topics.TopicList``), so both lists are
validated alike; a separate file because workers are oriented on their own rights and journey,
not trained on the employer's duties.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from audit.training.topics import TopicList

TOPICS_FILE = Path(__file__).with_name("topics.yaml")


@cache
def orientation_topics() -> TopicList:
    return TopicList.model_validate(yaml.safe_load(TOPICS_FILE.read_text("utf-8")))
