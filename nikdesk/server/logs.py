"""Structured JSON logs on stderr, one object per line, with the request id of the request.

A filter scrubs anything that looks like a secret (JWTs, bearer headers, 8-digit codes,
``password=...``) from every message and extra field, as a second line of defence: the code
itself never logs request bodies, headers or mails.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_STD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_IDS = {"user_id", "request_id", "method", "status", "ms"}  # ids: a digit run is no code
_SECRETS = [
    (re.compile(r"eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}"), "<jwt>"),
    (re.compile(r"(?i)(bearer\s+)\S+"), r"\1<token>"),
    (
        re.compile(
            r"(?i)((?:password|passwort|secret|token|code)[\"']?\s*[:=]\s*[\"']?)[^\s,\"'&}]+"
        ),
        r"\1***",
    ),
    (re.compile(r"(?<!\d)\d{8}(?!\d)"), "<code>"),
]


def scrub(text: str) -> str:
    """Return ``text`` with secret-looking parts replaced."""
    for pattern, repl in _SECRETS:
        text = pattern.sub(repl, text)
    return text


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line: time, level, logger, message, request_id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": scrub(record.getMessage()),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        for key, value in record.__dict__.items():
            if key not in _STD and key not in data:
                plain = key in _IDS or not isinstance(value, str)
                data[key] = value if plain else scrub(value)
        if record.exc_info:
            data["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False, default=str)


class StderrHandler(logging.Handler):
    """Write to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def setup_logging(level: str = "INFO") -> None:
    """Send the root, uvicorn and nikdesk loggers as JSON to stderr (idempotent)."""
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter())
    handler.set_name("nikdesk-json")
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        root.handlers = [*root.handlers, handler]  # else uvicorn_log_config installed it
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers = []
        lg.propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our middleware logs requests
    for name in ("alembic", "httpx", "httpx2", "sqladmin"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


def uvicorn_log_config(level: str = "INFO") -> dict[str, Any]:
    """Return a uvicorn ``log_config`` routing its loggers to the JSON formatter."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
        },
    }
