"""Handing an email to an SMTP server, and telling a refusal that may pass from one that will
not: a 4xx reply, a dropped connection or an unreachable server is tried again later; a 5xx
reply (unknown mailbox, refused sender, failed sign-in) fails the send with its reason."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal, Protocol

Security = Literal["starttls", "ssl", "none"]
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: Security
    username: str | None
    password: str | None
    sender: str


class DeliveryError(Exception):
    """The server did not take the email; ``transient`` says whether to try again."""

    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason[:500]
        self.transient = transient


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """One connection per email: campaign sends are few and spread out, and a fresh
    connection never carries a previous email's failure into the next."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, message: EmailMessage) -> None:
        s = self.settings
        try:
            if s.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
            with client:
                if s.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if s.username:
                    client.login(s.username, s.password or "")
                refused = client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise _refused(error.recipients) from error
        except smtplib.SMTPResponseException as error:
            text = _text(error.smtp_error)
            raise DeliveryError(
                f"{error.smtp_code} {text}", transient=400 <= error.smtp_code < 500
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            # Connection refused or dropped, a timeout, a TLS handshake that failed.
            raise DeliveryError(
                f"{type(error).__name__}: {error}" if str(error) else type(error).__name__,
                transient=True,
            ) from error
        if refused:
            raise _refused(refused)


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _refused(recipients: dict[str, tuple[int, bytes]]) -> DeliveryError:
    codes = [code for code, _ in recipients.values()]
    detail = "; ".join(f"{code} {_text(text)}" for code, text in recipients.values())
    return DeliveryError(
        f"recipient refused: {detail}", transient=all(400 <= c < 500 for c in codes)
    )
