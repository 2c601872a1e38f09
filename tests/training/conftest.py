import datetime as dt

import pytest
from django.utils import timezone

from opora.training import services
from opora.training.models import TrainingKind
from tests import factories as f


def today():
    return timezone.localdate()


def event_data(**overrides):
    start = today() + dt.timedelta(days=10)
    data = {"kind": TrainingKind.objects.get(code="seminar"), "title": "Проектирование модульных программ",
            "starts_on": start, "ends_on": start, "time_text": "10:00–13:00", "hours": "4",
            "format": "in_person", "place": "МОЦ, ул. Ленина, 5, актовый зал", "for_teachers": True,
            "capacity": 2}
    data.update(overrides)
    return data


@pytest.fixture
def seminar(operator):
    event = services.save_event(operator, event_data())
    return services.publish(operator, event)


@pytest.fixture
def teachers(provider):
    return [f.teacher(provider, last_name=name) for name in ("Антонова", "Борисова", "Волкова")]


@pytest.fixture
def other_teacher(other_provider):
    return f.teacher(other_provider, last_name="Чужая")


def held(event, on=None):
    """Move an event into the past (as if the days went by) for attendance tests."""
    on = on or today()
    type(event).objects.filter(pk=event.pk).update(starts_on=on, ends_on=on, registration_until=None)
    event.refresh_from_db()
    return event
