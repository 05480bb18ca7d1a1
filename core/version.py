"""The installed Fairpath version, for the API description and the reports' covers."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def fairpath_version() -> str:
    try:
        return version("fairpath")
    except PackageNotFoundError:  # running from a checkout without installing
        return "0.0.0+unknown"
