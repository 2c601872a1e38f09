import pytest
from django.db import transaction
from django.test import override_settings

from opora.demo.generator import build_demo

SMALL = 0.05


@pytest.fixture(scope="module")
def _module_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """One small demo region per test module (per worker), built inside a transaction
    that is rolled back when the module ends: each test runs in a savepoint within it,
    so what a test changes (a second run, a reset) is undone before the next test.
    Building the region takes seconds; once per test made the demo tests the slowest
    part of the suite. A module using it keeps every database test on ``demo``: a test
    that builds its own region belongs in ``test_builds.py``."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(
            MEDIA_ROOT=media,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), transaction.atomic():
        yield build_demo(scale=SMALL)
        transaction.set_rollback(True)


@pytest.fixture
def demo(_module_demo, db):
    """A small demo region: every kind of row, a few dozen programs."""
    return _module_demo
