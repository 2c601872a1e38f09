"""The demo's data requests from the РМЦ: what a newcomer signed in as the РМЦ or a МОЦ
finds in «Запросы данных»."""

import pytest
from django.utils import timezone

from opora.surveys.models import ReplyStatus, Survey, SurveyStatus

pytestmark = pytest.mark.django_db


def test_a_request_in_progress_and_one_overdue(demo):
    surveys = {s.title: s for s in Survey.objects.prefetch_related("replies", "fields")}
    current = surveys["Мониторинг охвата и кадров на 1 декабря"]
    overdue = surveys["Сведения о летней занятости детей"]
    today = timezone.localdate()

    assert current.status == overdue.status == SurveyStatus.SENT
    assert current.created_by.email == "rmc@demo.opora"
    assert {f.kind for f in current.fields.all()} == {"number", "choice", "text"}
    statuses = sorted(r.status for r in current.replies.all())
    assert statuses == sorted([ReplyStatus.ACCEPTED, ReplyStatus.RETURNED, ReplyStatus.PENDING])
    returned = current.replies.get(status=ReplyStatus.RETURNED)
    assert "педагогов" in returned.remarks
    accepted = current.replies.get(status=ReplyStatus.ACCEPTED)
    prefilled = accepted.answers.filter(field__prefill="covered_children").get()
    assert prefilled.number is not None and prefilled.number > 0  # the live figure

    assert overdue.deadline < today
    late = overdue.replies.exclude(status=ReplyStatus.PENDING)
    assert [r.late for r in late] == [True]
    assert overdue.replies.filter(status=ReplyStatus.PENDING).count() == 2
