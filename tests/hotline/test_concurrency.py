"""The hotline on PostgreSQL with real connections: two operators answering one question
at the same moment give one answer, and two runs of the overdue report tell the head once
per question; each with the control run that shows the race without the lock. A mailing's
batches run twice at once send no letter twice."""

import datetime as dt

import pytest
from django.core import mail

from opora.accounts.models import Role
from opora.errors import InvalidTransition
from opora.hotline import services
from opora.hotline.models import Message, MessageKind, Question
from opora.mailing import services as mailing
from opora.mailing.models import Delivery, DeliveryStatus, Mailing
from tests import factories as f
from tests.concurrency import RACES, run_parallel, slow_after_reading
from tests.hotline.conftest import public_question

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), RACES]


@pytest.fixture
def operators(city):
    return [f.user(Role.SUPPORT_CENTRE, municipality=city) for _ in range(10)]


def _answer(operator, question):
    return lambda: services.answer(operator, question, f"Ответ {operator.pk}").answered_by_id


def test_ten_operators_answer_one_question_once(city, operators):
    question = public_question(city)
    results, errors = run_parallel([_answer(o, question) for o in operators], workers=10)
    assert len(results) == 1 and len(errors) == 9
    assert all(isinstance(e, InvalidTransition) for e in errors)
    assert Message.objects.filter(question=question, kind=MessageKind.ANSWER).count() == 1
    question.refresh_from_db()
    assert question.answered_by_id == results[0]


def test_without_the_lock_one_question_gets_several_answers(city, operators, unguarded,
                                                            monkeypatch):
    unguarded("hotline")
    slow_after_reading(monkeypatch, services, "may_work")
    question = public_question(city)
    results, errors = run_parallel([_answer(o, question) for o in operators], workers=10)
    assert len(results) > 1
    assert Message.objects.filter(question=question, kind=MessageKind.ANSWER).count() > 1


def _overdue_questions(city, n=5):
    questions = [public_question(city, text=f"Вопрос {i}") for i in range(n)]
    Question.objects.filter(pk__in=[q.pk for q in questions]).update(
        deadline=dt.date.today() - dt.timedelta(days=3))
    mail.outbox.clear()
    return questions


def test_two_overdue_runs_at_once_tell_the_head_once(city, operator):
    _overdue_questions(city)
    results, errors = run_parallel([services.report_overdue] * 8, workers=8)
    assert errors == [] and sorted(results) == [0] * 7 + [5]


def test_without_the_lock_overdue_runs_claim_questions_twice(city, operator, unguarded,
                                                             monkeypatch):
    unguarded("hotline")
    slow_after_reading(monkeypatch, services.locking, "rows")
    _overdue_questions(city, n=30)
    results, errors = run_parallel([services.report_overdue] * 8, workers=8)
    assert sum(results) > 30


def test_two_workers_on_one_mailing_send_each_letter_once(city, operator, monkeypatch):
    for n in range(60):
        f.organization(city, email=f"org{n}@example.org")
    monkeypatch.setattr(mailing, "_queue_batch", lambda mailing_id: None)  # the workers below send
    sent = mailing.send_mailing(operator, {"subject": "Тема", "body": "Текст", "to_providers": True})
    mail.outbox.clear()
    results, errors = run_parallel([lambda: mailing.deliver_batch(sent.pk, batch=10)] * 8, workers=8)
    assert errors == [] and sum(results) == 60
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Delivery.objects.filter(mailing=sent).values_list("email", flat=True))
    assert not Delivery.objects.filter(mailing=sent, status=DeliveryStatus.PENDING).exists()
    assert Mailing.objects.get(pk=sent.pk).delivered_count == 60
