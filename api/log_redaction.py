"""Bearer secrets never reach a log line.

A respondent's link is ``/respond/fpi_...``: the access log printed it whole, so anyone who
could read the server's logs could open any worker's or recruiter's assessment. Every record
of the server's loggers passes this filter, which replaces the secret part of Fairpath tokens
(invitations ``fpi_``, users ``fpu_``, sessions ``fps_``) with a marker, keeping the prefix so
the line still says what kind of link it was.
"""

from __future__ import annotations

import logging
import re
from typing import Any

TOKEN = re.compile(r"\b(fp[ius]_)[A-Za-z0-9_\-]{8,}")
REDACTED = r"\1[redacted]"
LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "fairpath", "")


def redact(text: str) -> str:
    return TOKEN.sub(REDACTED, text)


def _clean(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(value) for value in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _clean(value) for key, value in record.args.items()}
        return True


def install() -> None:
    """Attach the filter to the server's loggers once (loggers outlive apps in a process)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactTokens) for existing in logger.filters):
            logger.addFilter(RedactTokens())
