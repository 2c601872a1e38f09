"""Enrolment fixtures on top of the shared personas: a published program of «provider»
(the city) with a group open for enrolment, a parent's child, and helpers.
(``@pytest.mark.postgres`` tests are skipped on SQLite by the root conftest.)"""

import datetime as dt
import itertools

import pytest
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from opora.accounts.models import Role
from opora.enrollment import children, intake, services
from opora.enrollment.models import SEAT_HOLDING, Application, Channel, Sex
from opora.errors import NotFound
from opora.registry.choices import ProgramStatus
from opora.registry.models import Group
from tests import factories as f


@pytest.fixture(autouse=True)
def _seat_counters_agree(request):
    """After every enrolment test: each group's seat counters agree with its rows — the
    seats held are the applications holding one, no queue number above the last given."""
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")  # set up first, so torn down after this
    elif "db" in request.fixturenames or marker:
        request.getfixturevalue("db")
    else:
        yield
        return
    yield
    held = Count("applications", filter=Q(applications__status__in=SEAT_HOLDING))
    wrong = list(Group.objects.annotate(held=held, last=Max("applications__queue_number"))
                 .exclude(seats_taken=F("held"))
                 .values_list("pk", "seats_taken", "held"))
    wrong += [(pk, "queue_last", last) for pk, queue_last, last in Group.objects.annotate(
        last=Max("applications__queue_number")).values_list("pk", "queue_last", "last")
        if last is not None and last > queue_last]
    assert wrong == [], "seat counters disagree with the applications (group, counter, rows)"


def snils(number: int) -> str:
    """A valid СНИЛС «NNN-NNN-NNN CC» for a nine-digit number above 001-001-998."""
    digits = f"{number:09d}"
    control = sum(int(c) * (9 - i) for i, c in enumerate(digits)) % 101 % 100
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]} {control:02d}"


def born(age: int, on: dt.date | None = None) -> dt.date:
    """A birth date giving ``age`` full years on ``on`` (a safe mid-year date)."""
    on = on or timezone.localdate()
    return dt.date(on.year - age - 1, 12, 31) if (on.month, on.day) < (12, 31) else \
        dt.date(on.year - age, 1, 1)


def child_data(municipality, **kw):
    data = {
        "last_name": "Смирнова", "first_name": "Алёна", "patronymic": "Игоревна",
        "birth_date": born(10), "sex": Sex.FEMALE, "municipality": municipality,
        "is_rural": False, "has_ovz": False, "is_disabled": False,
        "difficult_situation": False, "snils": "",
    }
    data.update(kw)
    return data


def add_child(parent, **kw):
    """A child registered by ``parent`` through the service, with consent."""
    child, _created = children.register_child(parent, child_data(parent.municipality, **kw),
                                               consent=True)
    return child


def open_group(program, **kw):
    """A group of ``program`` taking applications now: switch on, window open."""
    kw.setdefault("enrolment_open", True)
    kw.setdefault("enrolment_from", timezone.now() - dt.timedelta(days=1))
    kw.setdefault("enrolment_to", timezone.now() + dt.timedelta(days=30))
    kw.setdefault("capacity_max", 2)
    return f.group(program, **kw)


@pytest.fixture
def published(provider):
    return f.program(provider, status=ProgramStatus.PUBLISHED, title="Робототехника")


@pytest.fixture
def group(published):
    return open_group(published, name="Роботы-1")


@pytest.fixture
def child(parent):
    return add_child(parent)


@pytest.fixture
def other_parent(district):
    return f.user(Role.PARENT, municipality=district, email="other.parent@example.org")


@pytest.fixture
def family(city):
    """Parents with a child each: ``family(n)`` → [(parent, child), …]; every call makes
    new children (the numbering goes on), so no two families share a child."""
    numbers = itertools.count()

    def make(n, **kw):
        result = []
        for _ in range(n):
            i = next(numbers)
            parent = f.user(Role.PARENT, municipality=city)
            result.append((parent, add_child(parent, first_name=f"Ребёнок{i}",
                                             last_name=f"Фамилия{i}", **kw)))
        return result
    return make


def submit_through_outbox(actor, child, group, channel=Channel.CABINET):
    """``services.submit_application``'s contract kept through the opening-day outbox:
    accepted, settled by the settler, answered from the submission's outcome."""
    submission = intake.accept(actor, getattr(child, "pk", child), getattr(group, "pk", group),
                               channel=channel)
    assert intake.settle() >= 1
    submission.refresh_from_db()
    if submission.refusal_code in ("child_not_found", "group_not_found"):
        raise NotFound(submission.refusal)
    if submission.refusal_code:
        raise services.NotEligible(submission.refusal, code=submission.refusal_code)
    application = Application.objects.select_related(
        "child", "group__module__program__organization").get(pk=submission.application_id)
    return application, submission.filed


@pytest.fixture(params=["service", "outbox"])
def submit(request):
    """A guardian's submission through the synchronous service, then through the
    outbox: the gates, seats and repeats are the same on both paths."""
    return services.submit_application if request.param == "service" else submit_through_outbox
