import pytest
from django.db import transaction
from django.test import override_settings

from opora.demo.generator import build_demo

from ..conftest import SMALL


@pytest.fixture(scope="package")
def _shared_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """One small demo region for every test of this package (per worker), built inside a
    transaction that is rolled back when the package's last test ends: each test runs in
    a savepoint within it, so what a test changes (a second run, a reset) is undone
    before the next test. Building the region takes seconds; built once per module, it
    was still the slowest part of the suite. Every database test of this package reads
    ``demo``; a test that builds its own region belongs in ``tests/demo/test_builds.py``
    (outside this package, so no shared region is open under it)."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(
            MEDIA_ROOT=media,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), transaction.atomic():
        yield build_demo(scale=SMALL)
        transaction.set_rollback(True)


@pytest.fixture
def demo(_shared_demo, db):
    """A small demo region: every kind of row, a few dozen programs."""
    return _shared_demo
