"""Personas shared by every app's tests: two municipalities, their МОЦ operators,
a provider in each with its staff, an education authority, the РМЦ and a parent."""

import fcntl
import os

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

from opora.accounts.models import Role
from tests import factories as f


def _third_party_migrations_first():
    """On PostgreSQL Wagtail's and taggit's ~150 migrations run when a worker builds its test
    database (tests/settings.py). ``migrate`` plans from the graph's leaf nodes in order of
    app label, so they came after ours, and each re-rendered every model of the project
    state: 95 s of a worker's 95 s database. Taking their leaves first applies them while the
    state holds little more than the user model (52 s; the schema is the same, column for
    column: what each migration creates does not depend on the order of independent apps)."""
    from django.db.migrations.graph import MigrationGraph

    def third_party_first(node):
        app_label, name = node
        return (not app_label.startswith(("wagtail", "taggit")), app_label, name)

    leaf_nodes = MigrationGraph.leaf_nodes

    def ordered_leaf_nodes(self, app=None):
        return sorted(leaf_nodes(self, app), key=third_party_first)

    MigrationGraph.leaf_nodes = ordered_leaf_nodes


def _flush_by_delete():
    """A transactional test ends with Django's flush: on PostgreSQL one ``TRUNCATE`` of all
    177 tables, which gives every table, index and TOAST table a new file — 4–5 s per test.
    ``DELETE`` of the few rows a test leaves takes under 0.1 s, and the result is the same
    (``TRUNCATE`` without ``RESTART IDENTITY`` keeps the sequences too). Django's foreign
    keys are ``DEFERRABLE INITIALLY DEFERRED`` and the flush runs in one transaction, so the
    order of the tables does not matter."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
                for table in tables]

    DatabaseOperations.sql_flush = sql_flush


if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _third_party_migrations_first()
    _flush_by_delete()

# Property tests assert behaviour, never time: Hypothesis' default 200 ms deadline per
# example failed a pure validator whose example took 276 ms once on a busy machine (speed is
# measured in bench/).
hypothesis_settings.register_profile("opora", deadline=None)
hypothesis_settings.load_profile("opora")


@pytest.fixture(autouse=True)
def _postgres_only(request):
    """``@pytest.mark.postgres`` tests (row locks, full-text search, real concurrency)
    are skipped unless the test database is PostgreSQL."""
    if request.node.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://…")


@pytest.fixture
def one_race_at_a_time(tmp_path_factory):
    """A race test (``tests.concurrency.RACES``) opens up to 40 connections: the workers
    of one ``pytest -n`` run take turns through a lock file they share. (xdist's
    ``--dist loadgroup`` would keep them on one worker, but with pytest 9.2 it silently
    stops grouping: pytest-dev/pytest-xdist#1386.)"""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        yield
        return
    lock = tmp_path_factory.getbasetemp().parent / "races.lock"  # the run's, shared by its workers
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@pytest.fixture
def unguarded():
    """``unguarded("seats", …)`` turns named locks off (``opora.locking.unguarded``) for
    the rest of the test: the control run of a race test, which must show the race."""
    from contextlib import ExitStack

    from opora import locking

    with ExitStack() as stack:
        yield lambda *names: stack.enter_context(locking.unguarded(*names))


@pytest.fixture
def city(db):
    return f.municipality(name="Город Тестов")


@pytest.fixture
def district(db):
    return f.municipality(name="Тестовский район")


@pytest.fixture
def provider(city):
    return f.organization(city)


@pytest.fixture
def other_provider(district):
    return f.organization(district)


@pytest.fixture
def staff(provider):
    return f.user(Role.ORGANIZATION_STAFF, organization=provider, municipality=provider.municipality)


@pytest.fixture
def other_staff(other_provider):
    return f.user(Role.ORGANIZATION_STAFF, organization=other_provider,
                  municipality=other_provider.municipality)


@pytest.fixture
def operator(city):
    return f.user(Role.SUPPORT_CENTRE, municipality=city)


@pytest.fixture
def other_operator(district):
    return f.user(Role.SUPPORT_CENTRE, municipality=district)


@pytest.fixture
def authority(city):
    return f.user(Role.EDUCATION_AUTHORITY, municipality=city)


@pytest.fixture
def regional(db):
    return f.user(Role.REGIONAL_CENTRE)


@pytest.fixture
def parent(city):
    return f.user(Role.PARENT, municipality=city)


@pytest.fixture
def program(provider):
    return f.program(provider)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_of_its_own(settings, tmp_path):
    """Uploads go to the test's own directory, never to the shared ``var/media``: a file
    left by another test (or worker, or run) would make storage rename the next one."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Each test starts with an empty cache and reads the catalog's version afresh: a
    rolled-back test gives its ids (the catalog's version on SQLite) to the next one,
    whose data differ."""
    from django.core.cache import cache

    from opora.navigator import catalog

    cache.clear()
    catalog.forget_version()


@pytest.fixture(autouse=True)
def _token_uses_of_its_own():
    """The API keeps the uses of its tokens in the process until it writes them after a
    response: uses left by one test would be written during the next one's request (and
    on a database the next test may not open). Each test starts and ends with none."""
    from opora.api import auth

    auth._uses.clear()
    yield
    auth._uses.clear()


@pytest.fixture(autouse=True)
def _language_restored():
    """LocaleMiddleware leaves the last request's language active in the thread; put
    the default back so one test's English page does not leak into the next test."""
    from django.utils import translation

    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """A transactional test (browser, races) starts on a database the previous one
    flushed: seed the reference lists the data migrations would have made."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        from opora.plans.kinds import seed_kinds
        from opora.plans.models import PlanKind
        from opora.registry.models import Specialisation
        from opora.registry.reference import seed_specialisations

        seed_specialisations(Specialisation)
        seed_kinds(PlanKind)
        from opora.training import kinds as training_kinds
        from opora.training.models import TrainingKind

        training_kinds.seed_kinds(TrainingKind)
        training_kinds.seed_plan_kind(PlanKind)

        from opora.events.kinds import seed_kinds as seed_event_kinds
        from opora.events.models import EventKind

        seed_event_kinds(EventKind)


@pytest.fixture(scope="session")
def openapi_schema(django_db_setup, django_db_blocker):
    """The API's own OpenAPI document as schemathesis reads it from the WSGI application,
    loaded once for the session with its operations (building them is the slow part)."""
    import schemathesis

    from opora.wsgi import application

    with django_db_blocker.unblock():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    schema.operations = [result.ok() for result in schema.get_all_operations()]
    return schema


@pytest.fixture
def wsgi_in_test_transaction(db):
    """Requests sent straight to the WSGI handler (schemathesis) stay inside the test's
    transaction: the request signals would otherwise close its database connection, so
    they are disconnected as Django's test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
