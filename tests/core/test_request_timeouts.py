"""A web request never waits without end: on PostgreSQL each request runs under
``lock_timeout`` and ``statement_timeout``, and running into either is answered like a
busy seat (503 with Retry-After), on the API and on pages alike.

Two real connections: the test's raw psycopg connection holds the invoice's row lock
as another request (or a month's closing) would, the request under test waits for it."""

import datetime as dt
import threading
import time

import psycopg
import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from opora.core.middleware import forget_timeouts
from opora.financing.models import Invoice

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUSY = "Эти данные сейчас изменяет другой запрос. Попробуйте ещё раз через несколько секунд."


@pytest.fixture
def invoice(provider):
    return Invoice.objects.create(municipality=provider.municipality, organization=provider,
                                  month=dt.date(2026, 10, 1), kind="final")


# The holder lets go after this long, so that a request without a timeout ends too
# (with the wrong answer) instead of hanging the suite.
HELD_FOR = 8


@pytest.fixture
def holder(invoice):
    """A second connection holding the invoice's row lock for HELD_FOR seconds."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    other = psycopg.connect(**params)
    other.execute("SELECT id FROM financing_invoice WHERE id = %s FOR UPDATE", [invoice.pk])
    release = threading.Timer(HELD_FOR, other.rollback)
    release.start()
    yield other
    release.cancel()
    other.rollback()
    other.close()


@pytest.fixture(autouse=True)
def _reset_timeouts():
    yield
    with connection.cursor() as cursor:  # the request set them for the test's connection
        cursor.execute("RESET lock_timeout; RESET statement_timeout")
    forget_timeouts(connection)


def signed_in(user):
    """A client of the user that has served one request already (URLs and the API loaded)."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    client.get("/api/v1/dictionaries")
    return client


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_api_submit_waiting_on_a_held_invoice_is_busy_after_the_lock_timeout(settings, staff, invoice, holder):
    settings.OPORA_DB_LOCK_TIMEOUT = 1
    client = signed_in(staff)

    response, took = _timed(lambda: client.post(f"/api/v1/invoices/{invoice.pk}/submit"))

    assert (response.status_code, response["Retry-After"]) == (503, "1")
    assert response.json() == {"detail": BUSY, "field": None, "code": "Busy"}
    assert 1 <= took < 4
    invoice.refresh_from_db()
    assert invoice.status == "draft"


def test_a_statement_over_the_statement_timeout_is_busy_too(settings, staff, invoice, holder):
    settings.OPORA_DB_LOCK_TIMEOUT = 0  # no lock limit: the statement limit ends the wait
    settings.OPORA_DB_STATEMENT_TIMEOUT = 1
    client = signed_in(staff)

    response, took = _timed(lambda: client.post(f"/api/v1/invoices/{invoice.pk}/submit"))

    assert (response.status_code, response["Retry-After"], response.json()["code"]) == (503, "1", "Busy")
    assert 1 <= took < 4


def test_the_page_answers_busy_with_a_page(settings, staff, invoice, holder):
    settings.OPORA_DB_LOCK_TIMEOUT = 1
    client = signed_in(staff)

    response, took = _timed(lambda: client.post(reverse("financing:invoice_submit", args=[invoice.pk])))

    assert (response.status_code, response["Retry-After"]) == (503, "1")
    assert BUSY in response.content.decode()
    assert 1 <= took < 4
    invoice.refresh_from_db()
    assert invoice.status == "draft"


def test_without_a_held_lock_the_invoice_is_submitted(settings, staff, invoice):
    settings.OPORA_DB_LOCK_TIMEOUT = 1
    client = signed_in(staff)

    response = client.post(f"/api/v1/invoices/{invoice.pk}/submit")

    assert (response.status_code, response.json()["status"]) == (200, "submitted")


def test_requests_run_under_the_configured_timeouts(settings, staff):
    settings.OPORA_DB_LOCK_TIMEOUT = 2
    settings.OPORA_DB_STATEMENT_TIMEOUT = 45
    client = signed_in(staff)

    client.get("/api/v1/dictionaries")

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout'), current_setting('statement_timeout')")
        assert cursor.fetchone() == ("2s", "45s")


def test_a_connection_opened_during_a_request_gets_the_timeouts(settings, staff):
    settings.OPORA_DB_LOCK_TIMEOUT = 2
    settings.OPORA_DB_STATEMENT_TIMEOUT = 45
    client = Client()
    client.force_login(staff)
    connection.close()  # the request opens its own, as in a fresh gunicorn worker

    assert client.get("/api/v1/dictionaries").status_code == 200

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout'), current_setting('statement_timeout')")
        assert cursor.fetchone() == ("2s", "45s")


def _session_limits():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout'), current_setting('statement_timeout')")
        return cursor.fetchone()


def test_a_kept_connection_keeps_its_limits_and_gets_new_ones_when_they_change(settings, staff):
    settings.OPORA_DB_LOCK_TIMEOUT = 2
    settings.OPORA_DB_STATEMENT_TIMEOUT = 45
    client = signed_in(staff)  # the first request gave the connection its limits
    with connection.cursor() as cursor:  # changed behind the middleware's back
        cursor.execute("SET statement_timeout = '7s'")

    client.get("/api/v1/dictionaries")
    assert _session_limits() == ("2s", "7s")  # set once per connection, not per request

    settings.OPORA_DB_STATEMENT_TIMEOUT = 30
    client.get("/api/v1/dictionaries")
    assert _session_limits() == ("2s", "30s")

    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout; RESET statement_timeout")
    forget_timeouts(connection)
    client.get("/api/v1/dictionaries")
    assert _session_limits() == ("2s", "30s")


def test_limits_set_in_a_transaction_that_rolled_back_are_set_again(settings, staff):
    settings.OPORA_DB_LOCK_TIMEOUT = 2
    settings.OPORA_DB_STATEMENT_TIMEOUT = 45
    client = signed_in(staff)
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout; RESET statement_timeout")
    forget_timeouts(connection)

    with transaction.atomic():  # ATOMIC_REQUESTS, or a test's transaction
        client.get("/api/v1/dictionaries")
        transaction.set_rollback(True)
    assert _session_limits() == ("0", "0")  # the rollback undid them

    client.get("/api/v1/dictionaries")
    assert _session_limits() == ("2s", "45s")


def test_a_transaction_local_lock_timeout_leaves_the_request_limits(settings, staff):
    from opora import locking

    settings.OPORA_DB_LOCK_TIMEOUT = 2
    signed_in(staff)
    with locking.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        assert cursor.fetchone() == (locking.LOCK_TIMEOUT,)
    assert _session_limits()[0] == "2s"


def test_connections_outside_requests_have_no_limits(settings):
    # a command: close_month, demo, migrate
    settings.OPORA_DB_STATEMENT_TIMEOUT = 1
    connection.close()

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout'), current_setting('statement_timeout')")
        assert cursor.fetchone() == ("0", "0")
        cursor.execute("SELECT pg_sleep(1.2)")  # longer than a request may take
