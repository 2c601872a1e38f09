"""Practices under concurrent requests on PostgreSQL: the last sheets of a round come in
together with a wide spread — exactly one extra expert is asked; a provider's appeal sent
twice at once is filed once."""

import pytest

from opora.audit.models import AuditEvent
from opora.practices import services
from opora.practices.models import PracticeAppeal
from opora.quality.models import AssignmentKind
from tests.concurrency import RACES, run_parallel
from tests.practices.conftest import full_sheet, make_expert, practice_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), RACES]


@pytest.fixture
def default_set(db):
    from opora.practices.defaults import create_default_set
    from opora.quality.models import CriteriaSet, Criterion

    return create_default_set(CriteriaSet, Criterion)  # the data migration's set (flushed between tests)


def test_wide_spread_sheets_submitted_together_ask_one_extra_expert(default_set, city, operator, staff):
    for n in range(3):
        make_expert(city, last_name=f"Эксперт{n}")
    services.save_settings(operator, city, spread_limit=1, appeal_days=10, experts_per_practice=2)
    practice = services.submit(staff, services.save_practice(staff, practice_data()))
    practice = services.start_review(operator, practice)
    first, second = practice.assignments.order_by("pk")  # the third expert is free for the extra sheet
    criterion = practice.criteria_set.criteria.order_by("position").first()
    low = full_sheet(second, 2)
    low[criterion.pk] = (0, "Не показано.")

    calls = [lambda: services.save_sheet(first.expert, first, full_sheet(first, 2), submit=True),
             lambda: services.save_sheet(second.expert, second, low, submit=True)]
    results, errors = run_parallel(calls, workers=2)

    assert errors == [] and len(results) == 2
    assert practice.assignments.filter(kind=AssignmentKind.EXTRA).count() == 1
    practice.refresh_from_db()
    assert practice.score is None


def test_an_appeal_sent_twice_at_once_is_filed_once(default_set, city, operator, staff):
    for n in range(2):
        make_expert(city, last_name=f"Эксперт{n}")
    practice = services.start_review(operator, services.submit(staff, services.save_practice(staff, practice_data())))
    for assignment in practice.assignments.all():
        services.save_sheet(assignment.expert, assignment, full_sheet(assignment, 1, "Неполно."), submit=True)
    services.return_practice(operator, practice, "Подтвердите результаты.")

    calls = [lambda: services.file_appeal(staff, practice, "Доводы.") for _ in range(2)]
    results, errors = run_parallel(calls, workers=2)

    assert len(results) == 1 and len(errors) == 1
    assert "уже подана" in str(errors[0])
    assert PracticeAppeal.objects.filter(practice=practice).count() == 1
    assert AuditEvent.objects.filter(action="practices.appeal.filed").count() == 1
