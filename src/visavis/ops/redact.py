"""A log filter that removes secrets from log lines before any handler writes them.

Guest links and calendar feeds carry their secret in the URL path, and Django's own
loggers (e.g. ``django.security.csrf``) name the path of a refused request. The secret
part is replaced by ``…``; the rest of the line stays for the operator.
"""

from __future__ import annotations

import logging
import re

_SECRET_PATHS = re.compile(r"(/r/|/calendar/)[A-Za-z0-9_-]{8,}")


def redact(text: str) -> str:
    return _SECRET_PATHS.sub(r"\1…", text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class DropConnectionLines(logging.Filter):
    """uvicorn logs each WebSocket handshake with the client's address and the path at
    INFO, even with its access log off. Such lines are an access log: drop them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return '"WebSocket %s"' not in str(record.msg)
