"""The layout holds: layers point downwards, scoring loads no ORM, and the code type-checks.

These run the same checkers a developer runs by hand (``lint-imports``, ``mypy``), so a change
that breaks a contract fails the suite, not only a review.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("api", "audit", "core", "questionnaires", "scoring", "supplychain", "templates")


def _tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not Path(found).exists():
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]')")
    return found


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_import_layers_point_downwards_and_scoring_is_pure() -> None:
    result = _run(_tool("lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_importing_scoring_loads_no_orm_or_web_framework() -> None:
    probe = (
        "import sys, scoring.network, scoring.reimbursement, scoring.corridors;"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlmodel', 'sqlalchemy', 'fastapi', 'starlette'});"
        "print(','.join(loaded))"
    )
    result = _run(sys.executable, "-c", probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_no_package_but_api_imports_api() -> None:
    offenders = []
    for package in PACKAGES:
        if package == "api":
            continue
        for path in (ROOT / package).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                stripped = line.strip()
                if stripped.startswith(("from api", "import api")):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {stripped}")
    assert offenders == []


def test_mypy_reports_no_errors(tmp_path: Path) -> None:
    result = _run(_tool("mypy"), "--cache-dir", str(tmp_path / "mypy"), "--no-error-summary")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr


def test_every_package_is_built_into_the_wheel_and_the_container() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for package in PACKAGES:
        assert f'"{package}"' in pyproject.split("[tool.hatch.build.targets.wheel]")[1], package
        assert f"COPY {package} ./{package}" in dockerfile, package
