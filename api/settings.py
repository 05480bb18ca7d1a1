"""Runtime settings, read once from the environment.

Everything an operator may change lives here so that the app factory, the CLI and the tests
agree on one source of truth. Variables use the ``FAIRPATH_`` prefix, except ``DATABASE_URL``
which keeps its conventional name so that hosting platforms can inject it unchanged.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, PrivateAttr, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.secret_file import stored_secret
from audit.campaigns.mail import SmtpSettings

DEFAULT_DATABASE_URL = "sqlite:///./fairpath.db"
SECRET_FILE = "secret_key"  # noqa: S105 (a file name)
MIN_SECRET_LENGTH = 32
DEVELOPMENT_BASE_URL = "http://localhost:8000"


def normalise_database_url(value: str) -> str:
    """Accept the ``postgres://`` and ``postgresql://`` forms hosting platforms hand out."""
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix) :]
    return value


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
    # Signs the web pages' cookies. Unset, a random key is made on first run and kept in the
    # data directory (``signing_key``); several replicas must share one, so set it for them.
    secret_key: str | None = None
    invitation_days: int = 30
    # How long a request may wait for one of the database pool's connections before a 503.
    admission_wait_seconds: float = 30.0
    # Where respondents open their invitation links: the address users reach, behind any proxy.
    public_base_url: str | None = None
    # The job queue (api.jobs): unset, a SQLite file in the data directory (one machine, no
    # server); redis://host:6379/0 for workers on several machines; "immediate" runs each job
    # in the request that starts it (tests and scripts only).
    queue_url: str | None = None
    # A lone `fairpath serve` runs jobs in background threads of its own; replicas with a
    # dedicated `fairpath worker` set this to false.
    worker_in_process: bool = True
    worker_threads: int = Field(default=2, ge=1, le=32)
    # A running job whose worker has not reported for this long is taken as lost (killed,
    # machine gone): a worker retries it, or fails it once its attempts are used.
    job_lease_seconds: float = Field(default=60.0, gt=0)
    # Imports with a larger body always run as a job (202); smaller ones finish in the request
    # unless the client sends `Prefer: respond-async`.
    inline_import_bytes: int = Field(default=1024 * 1024, ge=0)
    # Campaigns asking more nodes than this are written by a job (202), not in the request.
    inline_campaign_targets: int = Field(default=500, ge=0)
    training_validity_months: int = Field(default=24, ge=1, le=120)  # CREST pillar 1 trainings
    # Campaign emails (audit.campaigns) go through this SMTP server; unset, email is off and
    # campaigns show their invitation links for copying instead.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = "Fairpath <no-reply@localhost>"
    _generated_key: str | None = PrivateAttr(default=None)

    @field_validator("public_base_url")
    @classmethod
    def _check_public_base_url(cls, value: str | None) -> str | None:
        """An absolute http(s) address without a path's trailing slash: links are built on it."""
        if value is None or not value.strip():
            return None
        parsed = urlsplit(value.strip())
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(
                "must be an absolute http(s) address, e.g. https://fairpath.example.org"
            )
        if parsed.query or parsed.fragment:
            raise ValueError("must not carry a query or fragment")
        return value.strip().rstrip("/")

    @field_validator("queue_url")
    @classmethod
    def _check_queue_url(cls, value: str | None) -> str | None:
        """A queue the service can reach: redis(s)://..., or "immediate"."""
        if value is None or not value.strip():
            return None
        value = value.strip()
        if value != "immediate" and urlsplit(value).scheme not in ("redis", "rediss"):
            raise ValueError('must be a redis:// address, or "immediate"; unset for SQLite')
        return value

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_scheme(cls, value: str) -> str:
        return normalise_database_url(value)

    def invitation_base_url(self) -> str:
        """The configured public address, or the development server's."""
        return self.public_base_url or DEVELOPMENT_BASE_URL

    def check_production_safety(self) -> None:
        """Refuse to run production without a configured secret: replicas would each make
        their own key and refuse each other's cookies, and a short key can be guessed. Nor
        without the public address: every invitation link would point at localhost."""
        if self.environment == "production" and not self.public_base_url:
            raise RuntimeError(
                "FAIRPATH_PUBLIC_BASE_URL must be set when FAIRPATH_ENVIRONMENT=production: "
                "the address respondents open invitation links at "
                "(for example https://fairpath.example.org)"
            )
        if self.environment == "production" and self.queue_url == "immediate":
            raise RuntimeError(
                'FAIRPATH_QUEUE_URL="immediate" runs jobs inside requests and is for tests; '
                "unset it (a SQLite queue file) or point it at Redis in production"
            )
        if self.environment == "production" and (
            not self.secret_key or len(self.secret_key) < MIN_SECRET_LENGTH
        ):
            raise RuntimeError(
                f"FAIRPATH_SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_LENGTH} characters when FAIRPATH_ENVIRONMENT=production "
                '(for example: python3 -c "import secrets; print(secrets.token_urlsafe(48))")'
            )

    def smtp(self) -> SmtpSettings | None:
        """The mail server campaigns send through, or None when email is off."""
        if not self.smtp_host:
            return None
        return SmtpSettings(
            host=self.smtp_host,
            port=self.smtp_port,
            security=self.smtp_security,
            username=self.smtp_username,
            password=self.smtp_password.get_secret_value() if self.smtp_password else None,
            sender=self.mail_from,
        )

    def signing_key(self) -> str:
        """The configured secret, or this data directory's own random one.

        There is no built-in default: a key printed in the source would let anyone forge an
        administrator's dashboard session."""
        if self.secret_key:
            return self.secret_key
        if self._generated_key is None:
            self._generated_key = stored_secret(self.data_dir / SECRET_FILE)
        return self._generated_key


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings`` instead."""
    return Settings()
