"""Check a questionnaire (or translation) file and explain every problem in words.

Authors write YAML by hand; Pydantic's raw error dump is hard to act on, so each problem is
rendered with the path to the offending item, using question and section ids, not list indexes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from questionnaires.definition import Questionnaire, Translation, translation_problems
from questionnaires.library import library_document


def _where(document: Any, location: tuple[int | str, ...]) -> str:
    """``sections[2].questions[0].options`` becomes ``section fees > question FEE_01 > options``."""
    parts: list[str] = []
    node = document
    for step in location:
        label = str(step)
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            item = node[step]
            ident = (
                item.get("id") or item.get("value") or item.get("code")
                if isinstance(item, dict)
                else None
            )
            label = f"{parts.pop() if parts else ''}[{ident or step}]"
            node = item
        elif isinstance(node, dict):
            node = node.get(step)
        else:
            node = None
        parts.append(label)
    return ".".join(parts) or "document"


def describe(error: ValidationError, document: Any) -> list[str]:
    return [f"{_where(document, tuple(item['loc']))}: {item['msg']}" for item in error.errors()]


def check_questionnaire_file(path: Path) -> list[str]:
    """Problems with a questionnaire or translation file; empty when it is valid."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return [f"cannot read {path}: {exc.strerror or exc}"]
    except UnicodeDecodeError:
        return [f"{path} is not UTF-8 text"]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return [f"not valid YAML{where}: {getattr(exc, 'problem', None) or exc}"]
    if not isinstance(document, dict):
        return ["the file must hold a mapping (id, version, title, applies_to, sections, ...)"]
    if (
        "questions" in document
        and "sections" in document
        and isinstance(document.get("questions"), dict)
    ):
        return _check_translation(document)
    try:
        Questionnaire.model_validate(document)
    except ValidationError as exc:
        return describe(exc, document)
    return []


def _check_translation(document: dict[str, Any]) -> list[str]:
    try:
        translation = Translation.model_validate(document)
    except ValidationError as exc:
        return describe(exc, document)
    original = library_document(translation.questionnaire, translation.version)
    if original is None:
        return [f"no library questionnaire {translation.questionnaire} v{translation.version}"]
    return translation_problems(original, translation)
