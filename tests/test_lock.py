"""``requirements.lock`` pins what CI and the Docker image install, and stays in step with
``pyproject.toml``.

A lock that forgot a dependency, or pinned a version the project no longer accepts, would be
ignored by pip for that package without a word, so these checks read both files.
"""

from __future__ import annotations

import os
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"


def _pins() -> dict[str, tuple[Version, Requirement]]:
    pins: dict[str, tuple[Version, Requirement]] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        requirement = Requirement(text)
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", f"not a pin: {line!r}"
        pins[canonicalize_name(requirement.name)] = (Version(specifiers[0].version), requirement)
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    return [Requirement(text) for text in [*project["dependencies"], *extras.get("dev", [])]]


def _applies(requirement: Requirement) -> bool:
    environment = {key: str(value) for key, value in default_environment().items()}
    environment["extra"] = "dev"
    return requirement.marker is None or requirement.marker.evaluate(environment)


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    pins = _pins()
    for requirement in filter(_applies, _declared()):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is in pyproject.toml but not in the lock"
        version = pins[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"the lock pins {requirement.name}=={version}, outside {requirement.specifier}: "
            "run pip-compile again (README, 'Pinned versions')"
        )


def test_ci_and_the_image_install_under_the_lock() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'export PIP_CONSTRAINT="$PWD/requirements.lock"' in ci
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY pyproject.toml README.md requirements.lock ./" in dockerfile
    assert "pip install -c requirements.lock ." in dockerfile


@pytest.mark.skipif(
    not os.environ.get("PIP_CONSTRAINT", "").endswith("requirements.lock"),
    reason="installed without the lock (only .ci/run and the image install under it)",
)
def test_what_is_installed_is_what_the_lock_pins() -> None:
    wrong = []
    for name, (version, requirement) in _pins().items():
        if not _applies(requirement):
            continue
        try:
            installed = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            wrong.append(f"{name} is not installed")
            continue
        if installed != version:
            wrong.append(f"{name} {installed} installed, {version} locked")
    assert not wrong, wrong
