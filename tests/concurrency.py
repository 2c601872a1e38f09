"""Helpers of the PostgreSQL race tests: real threads, each with its own connection,
released at the same moment, and the families they race for.

Every race test carries ``RACES``: under ``pytest -n`` the workers take turns (the root
conftest's ``one_race_at_a_time``), so a run never holds more than one race's
connections (``WORKERS`` + 1) at once."""

import threading
import time

import pytest
from django.db import connections
from django.utils import timezone

from opora.accounts.models import Role, User
from opora.enrollment.models import Child, Guardianship, Sex
from opora.enrollment.rules import identity_key
from tests.enrollment.conftest import born

WORKERS = 40  # connections at once; the server allows 100 and other suites share it
RACES = pytest.mark.usefixtures("one_race_at_a_time")


def run_parallel(calls, workers=WORKERS):
    """Run ``calls`` in ``workers`` threads that start together; every thread has its
    own connection and closes it. Returns (results, errors)."""
    barrier = threading.Barrier(workers)
    results, errors, guard = [], [], threading.Lock()

    def work(chunk):
        try:
            barrier.wait()
            for call in chunk:
                try:
                    value = call()
                except Exception as error:  # noqa: BLE001 — the test counts every failure
                    with guard:
                        errors.append(error)
                else:
                    with guard:
                        results.append(value)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(calls[i::workers],)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def slow_after_reading(monkeypatch, module, name, seconds=0.3):
    """Hold every thread a moment after ``module.name`` has read: on a loaded machine the
    threads otherwise run one after another, and a control run without the lock shows no
    race."""
    original = getattr(module, name)

    def slow(*args, **kwargs):
        value = original(*args, **kwargs)
        time.sleep(seconds)
        return value
    monkeypatch.setattr(module, name, slow)


def families(n, municipality):
    """``n`` parents each with a child and consent, in a few bulk statements."""
    now = timezone.now()
    parents = User.objects.bulk_create([
        User(email=f"rush{i}@example.org", role=Role.PARENT, municipality=municipality,
             password="!", last_name="Родитель", first_name=str(i)) for i in range(n)])
    kids = Child.objects.bulk_create([
        Child(last_name=f"Фамилия{i}", first_name="Имя", birth_date=born(10), sex=Sex.MALE,
              municipality=municipality,
              identity_key=identity_key(f"Фамилия{i}", "Имя", "", born(10))) for i in range(n)])
    Guardianship.objects.bulk_create([
        Guardianship(parent=p, child=c, consent_at=now, consent_by=p, consent_channel="parent",
                     confirmed_at=now, confirmed_by=p)
        for p, c in zip(parents, kids, strict=True)])
    return list(zip(parents, kids, strict=True))
