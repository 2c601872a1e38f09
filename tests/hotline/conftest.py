"""The hotline's personas come from ``tests/conftest.py`` (the city with its МОЦ
``operator``, the district with ``other_operator``, the РМЦ, a ``parent`` of the city);
here: a second parent and helpers that ask and answer."""

import datetime as dt

import pytest
from django.utils import timezone

from opora.accounts.models import Role
from opora.hotline import services
from tests import factories as f


@pytest.fixture
def other_parent(city):
    return f.user(Role.PARENT, municipality=city, email="other.parent@example.org")


def public_question(place, **overrides):
    data = {"name": "Анна Смирнова", "email": "anna@example.org", "phone": "",
            "municipality": place.pk, "topic": "certificate",
            "text": "Как получить сертификат на ребёнка 6 лет?"}
    data.update(overrides)
    return services.ask(None, data)


@pytest.fixture
def question(city):
    return public_question(city)


def at(day: dt.date, hour=12):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@pytest.fixture(autouse=True)
def _after_commit_at_once(monkeypatch):
    """The test runs inside a transaction that never commits: run the work queued after
    commit (the e-mail tasks) at once, as the immediate task backend does in production
    right after the commit."""
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def time_machine(monkeypatch):
    """``time_machine.move_to(moment)``: ``timezone.now()`` (and so ``localdate()``) is that moment."""

    class Machine:
        def move_to(self, moment):
            monkeypatch.setattr("django.utils.timezone.now", lambda: moment)

    return Machine()
