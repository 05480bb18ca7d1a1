"""Runtime settings, read once from the environment.

Everything an operator may change lives here so that the app factory, the CLI and the tests
agree on one source of truth. Variables use the ``FAIRPATH_`` prefix, except ``DATABASE_URL``
which keeps its conventional name so that hosting platforms can inject it unchanged.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./fairpath.db"


class Settings(BaseSettings):
    """Service configuration; see README "Configuration" for the variables."""

    model_config = SettingsConfigDict(env_prefix="FAIRPATH_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("DATABASE_URL", "FAIRPATH_DATABASE_URL"),
    )
    data_dir: Path = Path("./data")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    environment: Literal["development", "test", "production"] = "development"
    # Requests larger than this are refused before they are read (413); uploads have their own
    # per-file limit below, and bulk imports of large networks need the headroom.
    max_request_bytes: int = 64 * 1024 * 1024
    max_json_bytes: int = 2 * 1024 * 1024
    max_evidence_bytes: int = 10 * 1024 * 1024
    # Signs session cookies of the web pages; a default is only acceptable in development.
    secret_key: str = "development-only-secret-change-me"  # noqa: S105
    invitation_days: int = 30
    public_base_url: str = "http://localhost:8000"

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_scheme(cls, value: str) -> str:
        """Accept the ``postgres://`` and ``postgresql://`` forms hosting platforms hand out."""
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    def check_production_safety(self) -> None:
        """Refuse to run production with the development secret, which would let anyone forge
        session cookies."""
        if self.environment == "production" and self.secret_key.startswith("development-only"):
            raise RuntimeError(
                "FAIRPATH_SECRET_KEY must be set to a random value when "
                "FAIRPATH_ENVIRONMENT=production"
            )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings`` instead."""
    return Settings()
