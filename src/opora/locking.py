"""Contention, below every app: the polite «Busy» refusal a lock or statement timeout
becomes, and how to recognise such a timeout among database errors.

Services raise ``Busy`` (or let ``seat_transaction`` raise it); the API answers it with
503 and ``Retry-After: BUSY_RETRY_AFTER``, pages with the «Система занята» page
(``opora.core.middleware``). Nothing here knows any app.
"""

from django.db import OperationalError, connection
from django.utils.translation import gettext_lazy as _

from opora.errors import DomainError

# How long a request waits for a row another request holds before it gives up.
LOCK_TIMEOUT = "3s"

# Seconds a client should wait before sending a refused-as-busy request again.
BUSY_RETRY_AFTER = 1

# PostgreSQL: lock_not_available, deadlock_detected, serialization_failure, and
# query_canceled (a web request's statement_timeout, see opora.core.middleware).
_RETRYABLE_SQLSTATES = {"55P03", "40P01", "40001", "57014"}


class Busy(DomainError):
    """Too many requests want the same seats (or rows) at once; the user should retry shortly."""

    def __init__(self, message=None):
        super().__init__(message or _("Слишком много заявок одновременно. Попробуйте ещё раз через несколько секунд."),
                         code="Busy")

    @classmethod
    def database(cls):
        """A request waited too long for rows another request holds, or ran too long."""
        return cls(_("Эти данные сейчас изменяет другой запрос. Попробуйте ещё раз через несколько секунд."))


def is_contention(error: OperationalError) -> bool:
    """Whether a database error is a timeout, a deadlock or a lock held elsewhere: worth
    answering «try again», not a server error."""
    if getattr(error.__cause__, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    return connection.vendor == "sqlite" and "database is locked" in str(error)
