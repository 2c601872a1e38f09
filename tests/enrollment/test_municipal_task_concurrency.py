"""Municipal task limits on PostgreSQL: confirmations in different groups of one
organization and direction hold different group locks, so only the task row's lock keeps
the task from being exceeded. With it switched off (the control) the task is exceeded;
with it on, never (docs/decisions.md, «Race tests have a control»)."""

import pytest

from opora.enrollment import budget_places, services
from opora.enrollment.models import Application, MunicipalTask
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import InvalidTransition
from tests.concurrency import RACES, families, run_parallel
from tests.enrollment.conftest import open_group

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), RACES]

GROUPS = 30
PLACES = 5


def _rush(published, staff, city):
    """``GROUPS`` budget groups of one program, each with one application holding a seat,
    and a task of ``PLACES`` for their direction and year: one confirmation per group."""
    groups = [open_group(published, name=f"Группа {i}", capacity_max=1) for i in range(GROUPS)]
    people = families(GROUPS, city)
    applications = [services.submit_application(parent, child, group)[0]
                    for (parent, child), group in zip(people, groups, strict=True)]
    MunicipalTask.objects.create(organization=published.organization, direction=published.direction,
                                 year=budget_places.school_year(groups[0].start_date), places=PLACES)
    return groups, [lambda a=a: services.confirm_application(staff, a) for a in applications]


def test_racing_confirmations_never_exceed_the_task(published, staff, city):
    groups, calls = _rush(published, staff, city)

    results, errors = run_parallel(calls, workers=GROUPS)

    enrolled = Application.objects.filter(group__in=groups, status=S.ENROLLED).count()
    assert enrolled == PLACES == len(results)
    assert len(errors) == GROUPS - PLACES
    assert all(isinstance(error, InvalidTransition) and "занято 5 из 5" in error.message
               for error in errors)


def test_without_the_task_lock_the_task_is_exceeded(published, staff, city, unguarded):
    # the control: the same rush with the task row's lock switched off
    unguarded("municipal-task")
    groups, calls = _rush(published, staff, city)

    run_parallel(calls, workers=GROUPS)

    assert Application.objects.filter(group__in=groups, status=S.ENROLLED).count() > PLACES
