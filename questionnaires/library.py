"""The questionnaires shipped with Fairpath, read from ``questionnaires/library``.

Layout: ``library/<id>/v<N>/questionnaire.yaml`` and translations in
``library/<id>/v<N>/i18n/<language>.yaml``. The path must agree with the document's own id and
version, so a copied folder cannot silently publish a second "v1".
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

import yaml

from questionnaires.definition import Questionnaire, Translation

LIBRARY_DIR = Path(__file__).with_name("library")


class LibraryError(RuntimeError):
    """A shipped file is broken; raised at start-up so it is fixed before anyone answers it."""


def load_yaml(path: Path) -> object:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_questionnaire_file(path: Path) -> Questionnaire:
    return Questionnaire.model_validate(load_yaml(path))


@cache
def library_documents() -> tuple[Questionnaire, ...]:
    """Every shipped questionnaire version, ordered by id then version."""
    documents = []
    for path in sorted(LIBRARY_DIR.glob("*/v*/questionnaire.yaml")):
        try:
            questionnaire = load_questionnaire_file(path)
        except (OSError, yaml.YAMLError, ValueError) as exc:
            raise LibraryError(f"{path}: {exc}") from exc
        key, folder = path.parent.parent.name, path.parent.name
        if (questionnaire.id, f"v{questionnaire.version}") != (key, folder):
            raise LibraryError(
                f"{path}: declares {questionnaire.id} v{questionnaire.version} but lives in "
                f"{key}/{folder}"
            )
        documents.append(questionnaire)
    return tuple(sorted(documents, key=lambda q: (q.id, q.version)))


def library_document(key: str, version: int) -> Questionnaire | None:
    return next((q for q in library_documents() if (q.id, q.version) == (key, version)), None)


@cache
def library_translations(key: str, version: int) -> dict[str, Translation]:
    """Translations of one shipped version, by language code."""
    translations: dict[str, Translation] = {}
    for path in sorted((LIBRARY_DIR / key / f"v{version}" / "i18n").glob("*.yaml")):
        try:
            translation = Translation.model_validate(load_yaml(path))
        except (OSError, yaml.YAMLError, ValueError) as exc:
            raise LibraryError(f"{path}: {exc}") from exc
        if path.stem != translation.language:
            raise LibraryError(f"{path}: declares language {translation.language}")
        translations[translation.language] = translation
    return translations


def canonical_document(questionnaire: Questionnaire) -> dict[str, object]:
    """The form stored in the database and hashed: defaults filled in, nulls left out."""
    return questionnaire.model_dump(mode="json", by_alias=True, exclude_none=True)


def document_hash(questionnaire: Questionnaire) -> str:
    """Identifies a version's content, so a changed "immutable" version is caught."""
    encoded = json.dumps(canonical_document(questionnaire), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
