"""Structured logs, below every app: one line per state change of money and seats, and
the two formats the settings choose between (``OPORA_LOG_FORMAT``).

Each app logs through its modules' loggers (``logging.getLogger(__name__)``: under
``opora.<app>``) with ``state_change(log, "application.status_changed", application=12,
from_status="new", to_status="enrolled")``. The line is written once the transaction
commits (a change rolled back logs nothing) and carries identifiers, statuses and
amounts only — never a name, a birth date, a СНИЛС or an address: the audit trail is
where the details live, the log is for operations.

- ``JsonFormatter`` — one JSON object per line (production): time, level, logger,
  event and the change's fields.
- ``TextFormatter`` — ``time LEVEL logger event key=value …`` (the demo, debugging).
"""

import datetime as dt
import json
import logging
from functools import partial

from django.db import transaction

_PLAIN = (int, str, bool, type(None))


def state_change(log: logging.Logger, event: str, **fields) -> None:
    """Log ``event`` with ``fields`` (identifiers, statuses, amounts as strings) after the
    current transaction commits; at once outside a transaction."""
    for key, value in fields.items():
        if not isinstance(value, _PLAIN):
            raise TypeError(f"log field {key}={value!r}: identifiers, statuses and amounts as "
                            "strings only")
    transaction.on_commit(partial(log.info, event, extra={"state": fields}), robust=True)


def _fields(record: logging.LogRecord) -> dict:
    return getattr(record, "state", None) or {}


def _time(record: logging.LogRecord) -> str:
    return dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time`` (UTC), ``level``, ``logger``, ``event`` and the
    fields of the state change; an exception's traceback under ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": _time(record), "level": record.levelname, "logger": record.name,
                "event": record.getMessage()}
        for key, value in _fields(record).items():
            line.setdefault(key, value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time LEVEL logger event key=value …``, readable in a console."""

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        line = f"{_time(record)} {record.levelname} {record.name} {record.getMessage()}"
        line = f"{line} {fields}" if fields else line
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line
