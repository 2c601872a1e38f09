import datetime as dt

import pytest
from django.utils import timezone

from opora.enrollment.models import ApplicationStatus
from opora.events import services
from opora.events.models import EventKind, EventLevel
from opora.registry.choices import Direction
from tests.enrollment.conftest import add_child, born, open_group  # noqa: F401


def event_data(**kw):
    now = timezone.now()
    data = {
        "title": "Городской конкурс юных робототехников", "kind": EventKind.objects.get(code="contest"),
        "level": EventLevel.MUNICIPAL, "direction": Direction.TECHNICAL, "age_from": 7,
        "age_to": 17, "capacity": 3, "is_free": True, "price": None,
        "registration_from": now - dt.timedelta(days=1), "registration_to": now + dt.timedelta(days=10),
        "teams": True, "description": "Соревнования роботов по траектории.",
    }
    data.update(kw)
    return data


def sessions(days=14, **kw):
    start = timezone.now() + dt.timedelta(days=days)
    row = {"starts_at": start, "ends_at": start + dt.timedelta(hours=3),
           "place": "Дом творчества, ул. Мира, 5", "online_url": ""}
    row.update(kw)
    return [row]


def make_event(actor, moderator=None, *, sessions_=None, nominations=("Робототехника",), **kw):
    event = services.create_event(actor, event_data(**kw), sessions=sessions_ or sessions(),
                                  nominations=list(nominations))
    if moderator is not None:
        services.submit_event(actor, event)
        event = services.publish_event(moderator, event)
    return event


def pupil(provider, parent, **kw):
    """A child of ``parent`` enrolled in a group of ``provider``."""
    from opora.enrollment import services as enrollment
    from tests import factories as f

    child = add_child(parent, **kw)
    program = f.program(provider, status="published", title="Кружок")
    group = open_group(program, capacity_max=30)
    application, _created = enrollment.submit_application(parent, child, group)
    application.status = ApplicationStatus.ENROLLED
    application.enrolled_on = timezone.localdate()
    application.save()
    return child


@pytest.fixture
def contest(staff, operator):
    return make_event(staff, operator)


@pytest.fixture
def child(parent):
    return add_child(parent, birth_date=born(10))
