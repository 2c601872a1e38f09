"""The hotline cycle: asking, the deadline, the operator's work, escalation, details,
FAQ publication, overdue questions, settings — with permissions and bad input."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.hotline import selectors, services
from opora.hotline.models import (
    CalendarDay,
    Channel,
    FaqEntry,
    Message,
    Question,
    QuestionStatus,
)
from tests import factories as f
from tests.hotline.conftest import at, public_question

pytestmark = pytest.mark.django_db


def test_public_question_gets_a_number_a_deadline_and_a_receipt(city, time_machine):
    time_machine.move_to(at(dt.date(2026, 10, 16)))  # a Friday
    question = public_question(city)
    assert question.channel == Channel.SITE and question.asker is None
    assert question.number == f"{question.pk:05d}"
    assert question.deadline == dt.date(2026, 10, 21)
    assert question.status == QuestionStatus.NEW
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anna@example.org"]
    assert question.number in mail.outbox[0].subject
    assert "21.10.2026" in mail.outbox[0].body


def test_deadline_follows_the_topic_setting(city, regional, time_machine):
    time_machine.move_to(at(dt.date(2026, 10, 16)))
    services.set_topic_deadline(regional, "account", 1)
    assert public_question(city, topic="account").deadline == dt.date(2026, 10, 19)
    assert public_question(city, topic="program").deadline == dt.date(2026, 10, 21)


@pytest.mark.parametrize("overrides, field", [
    ({"name": ""}, "name"),
    ({"email": "", "phone": ""}, "email"),
    ({"email": "not-an-email"}, "email"),
    ({"topic": "weather"}, "topic"),
    ({"text": "   "}, "text"),
    ({"text": "я" * 5001}, "text"),
    ({"municipality": 999999}, "municipality"),
    ({"municipality": "abc"}, "municipality"),
    ({"phone": "12"}, "phone"),
])
def test_bad_question_is_refused_and_nothing_is_kept(city, overrides, field):
    with pytest.raises(ValidationFailed) as refused:
        public_question(city, **overrides)
    assert field in refused.value.errors
    assert Question.objects.count() == 0 and not mail.outbox


def pdf(name="справка.pdf", size=None):
    content = b"%PDF-1.4\n" + b"0" * ((size or 100) - 9)
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_attachment_is_kept_when_its_type_and_size_fit(city):
    question = services.ask(None, {"name": "Анна", "email": "a@example.org",
                                   "municipality": city.pk, "topic": "certificate",
                                   "text": "Прикладываю справку"}, pdf())
    assert question.attachment_name == "справка.pdf"
    assert question.attachment.read().startswith(b"%PDF")


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("virus.exe", b"MZ" + b"0" * 50), "PDF, DOCX, JPG или PNG"),
    (SimpleUploadedFile("fake.pdf", b"<html><script>alert(1)</script>"), "не похоже на PDF"),
    (pdf(size=5 * 1024 * 1024 + 1), "больше 5 МБ"),
])
def test_attachment_of_a_wrong_type_or_size_is_refused(city, upload, message):
    with pytest.raises(ValidationFailed) as refused:
        services.ask(None, {"name": "Анна", "email": "a@example.org", "municipality": city.pk,
                            "topic": "other", "text": "Вопрос"}, upload)
    assert message in refused.value.errors["attachment"][0]
    assert Question.objects.count() == 0


def test_parent_asks_from_the_cabinet_with_the_account_details(parent, city):
    question = services.ask(parent, {"topic": "application", "text": "Когда откроется запись?"})
    assert question.channel == Channel.CABINET and question.asker == parent
    assert question.email == parent.email and question.municipality == city


def test_operators_do_not_ask_they_answer(operator, city):
    with pytest.raises(PermissionDenied):
        services.ask(operator, {"topic": "other", "text": "?", "municipality": city.pk})


def test_parent_sees_only_their_own_questions(parent, other_parent, city):
    mine = services.ask(parent, {"topic": "certificate", "text": "Мой вопрос"})
    services.ask(other_parent, {"topic": "certificate", "text": "Чужой вопрос"})
    public_question(city)
    assert list(selectors.own_questions(parent)) == [mine]
    assert list(selectors.questions_for(parent)) == []


def test_operator_takes_and_answers_on_time_and_the_asker_is_told(question, operator, time_machine):
    mail.outbox.clear()
    services.take(operator, question)
    question.refresh_from_db()
    assert question.status == QuestionStatus.IN_WORK and question.taken_by == operator
    services.answer(operator, question, "Заявление подаётся в личном кабинете.", "https://opora.example")
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED
    assert question.answered_on_time is True and question.answered_by == operator
    assert len(mail.outbox) == 1
    letter = mail.outbox[0]
    assert letter.to == ["anna@example.org"]
    assert "Заявление подаётся в личном кабинете." in letter.body
    assert "https://opora.example/hotline/q/" in letter.body
    assert not FaqEntry.objects.exists()  # never published automatically


def test_answer_after_the_deadline_is_counted_late(city, operator, time_machine):
    time_machine.move_to(at(dt.date(2026, 10, 16)))
    question = public_question(city)
    time_machine.move_to(at(dt.date(2026, 10, 22)))
    services.answer(operator, question, "Ответ")
    question.refresh_from_db()
    assert question.answered_on_time is False


def test_operator_of_another_municipality_cannot_touch_the_question(question, other_operator):
    for action in (lambda: services.take(other_operator, question),
                   lambda: services.answer(other_operator, question, "Ответ")):
        with pytest.raises(PermissionDenied):
            action()
    question.refresh_from_db()
    assert question.status == QuestionStatus.NEW and question.answer == ""


def test_empty_answer_is_refused(question, operator):
    with pytest.raises(ValidationFailed):
        services.answer(operator, question, "  ")
    question.refresh_from_db()
    assert question.status == QuestionStatus.NEW


def test_details_are_asked_and_the_reply_restarts_the_deadline(parent, operator, time_machine):
    time_machine.move_to(at(dt.date(2026, 10, 12)))  # Monday
    question = services.ask(parent, {"topic": "certificate", "text": "Почему отказали?"})
    assert question.deadline == dt.date(2026, 10, 15)
    services.request_details(operator, question, "Назовите номер заявления.")
    question.refresh_from_db()
    assert question.status == QuestionStatus.AWAITING_DETAILS
    assert "Назовите номер заявления." in mail.outbox[-1].body
    with pytest.raises(InvalidTransition):
        services.answer(operator, question, "Ответ до уточнения")
    time_machine.move_to(at(dt.date(2026, 10, 15)))  # Thursday
    services.add_details(parent, question, "Номер 42")
    question.refresh_from_db()
    assert question.status == QuestionStatus.IN_WORK
    assert question.deadline == dt.date(2026, 10, 20)
    assert [m.kind for m in question.messages.all()] == ["details_requested", "details"]


def test_only_the_asker_adds_details(parent, other_parent, operator):
    question = services.ask(parent, {"topic": "certificate", "text": "Вопрос"})
    services.request_details(operator, question, "Уточните")
    with pytest.raises(PermissionDenied):
        services.add_details(other_parent, question, "Я не автор")
    assert not Message.objects.filter(kind="details").exists()


def test_escalated_question_is_answered_by_the_regional_centre(question, operator, regional):
    mail.outbox.clear()
    services.escalate(operator, question, "Вопрос о региональном положении о ПФДО")
    question.refresh_from_db()
    assert question.status == QuestionStatus.ESCALATED
    assert mail.outbox[-1].to == [regional.email]
    with pytest.raises(InvalidTransition):
        services.answer(operator, question, "МОЦ отвечает сам")
    services.answer(regional, question, "Ответ РМЦ")
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED and question.answered_by == regional


def test_regional_centre_returns_a_question_and_cannot_answer_one_not_escalated(question, operator,
                                                                                 regional):
    with pytest.raises(InvalidTransition):
        services.answer(regional, question, "Ответ")
    services.escalate(operator, question, "Не знаем")
    services.return_to_support_centre(regional, question, "Ответьте по пункту 3.2 положения")
    question.refresh_from_db()
    assert question.status == QuestionStatus.IN_WORK
    services.answer(operator, question, "Ответ МОЦ")


def test_escalation_needs_a_reason(question, operator):
    with pytest.raises(ValidationFailed):
        services.escalate(operator, question, "")
    question.refresh_from_db()
    assert question.status == QuestionStatus.NEW


def test_answered_question_is_published_only_without_personal_details(question, operator):
    with pytest.raises(InvalidTransition):
        services.publish_faq(operator, question, {"title": "Как получить сертификат?", "body": "Так."})
    services.answer(operator, question, "Подайте заявление в кабинете.")
    question.refresh_from_db()
    with pytest.raises(ValidationFailed) as refused:
        services.publish_faq(operator, question, {"title": "Анна спрашивает про сертификат",
                                                  "body": "Напишите на anna@example.org"})
    assert set(refused.value.errors) == {"title", "body"}
    assert "«Анна»" in refused.value.errors["title"][0]
    assert "«anna@example.org»" in refused.value.errors["body"][0]
    assert not FaqEntry.objects.exists()
    entry = services.publish_faq(operator, question, {"title": "Как получить сертификат?",
                                                      "body": "Подайте заявление в кабинете."})
    assert entry.municipality == question.municipality and entry.is_published
    assert list(selectors.public_faq()) == [entry]


def test_faq_of_another_municipality_is_not_editable(question, operator, other_operator):
    services.answer(operator, question, "Ответ")
    question.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.publish_faq(other_operator, question, {"title": "Вопрос?", "body": "Ответ"})
    entry = services.publish_faq(operator, question, {"title": "Вопрос?", "body": "Ответ"})
    with pytest.raises(PermissionDenied):
        services.withdraw_faq(other_operator, entry)
    services.withdraw_faq(operator, entry)
    assert list(selectors.public_faq()) == []


def test_overdue_questions_are_reported_to_the_head_once(city, operator, time_machine):
    time_machine.move_to(at(dt.date(2026, 10, 12)))
    late = public_question(city)
    answered = public_question(city, text="Второй вопрос")
    services.answer(operator, answered, "Ответ")
    from opora.hotline.models import Desk
    Desk.objects.create(municipality=city, head_email="head@moc.example", head_name="Кравцова И.В.")
    time_machine.move_to(at(dt.date(2026, 10, 16)))
    mail.outbox.clear()
    assert services.report_overdue() == 1
    late.refresh_from_db()
    assert late.is_overdue and late.overdue_reported_at is not None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["head@moc.example"]
    assert late.number in mail.outbox[0].body
    assert services.report_overdue() == 0 and len(mail.outbox) == 1


def test_overdue_goes_to_the_operators_when_no_head_is_named(city, operator, time_machine):
    time_machine.move_to(at(dt.date(2026, 10, 12)))
    public_question(city)
    time_machine.move_to(at(dt.date(2026, 10, 20)))
    mail.outbox.clear()
    from django.core.management import call_command
    call_command("hotline_overdue", verbosity=0)
    assert mail.outbox[0].to == [operator.email]


def test_overdue_goes_to_the_marked_head_when_the_desk_names_no_address(city, operator,
                                                                          time_machine):
    from opora.accounts.models import Role
    head = f.user(Role.SUPPORT_CENTRE, municipality=city, email="head@example.org",
                  is_centre_head=True)
    time_machine.move_to(at(dt.date(2026, 10, 12)))
    public_question(city)
    time_machine.move_to(at(dt.date(2026, 10, 20)))
    mail.outbox.clear()
    assert services.report_overdue() == 1
    assert [m.to for m in mail.outbox] == [[head.email]]


def test_phone_call_is_registered_for_the_operators_municipality(operator, city, authority):
    question = services.register_call(operator, {"name": "Пётр", "phone": "+7 900 123-45-67",
                                                 "topic": "account", "text": "Не могу войти"})
    assert question.channel == Channel.PHONE and question.municipality == city
    assert question.registered_by == operator
    with pytest.raises(PermissionDenied):
        services.register_call(authority, {"name": "Пётр", "phone": "+79001234567",
                                           "topic": "account", "text": "?"})


def test_calendar_is_kept_by_operators_with_checks(operator, parent):
    day = services.set_calendar_day(operator, dt.date(2026, 11, 5), False, "Сокращённая неделя")
    assert CalendarDay.objects.get(date=dt.date(2026, 11, 5)).note == "Сокращённая неделя"
    with pytest.raises(ValidationFailed):
        services.set_calendar_day(operator, dt.date(2026, 11, 7), False)  # a Saturday is off anyway
    with pytest.raises(PermissionDenied):
        services.set_calendar_day(parent, dt.date(2026, 11, 6), False)
    services.remove_calendar_day(operator, day)
    assert not CalendarDay.objects.filter(date=dt.date(2026, 11, 5)).exists()


@pytest.mark.parametrize("days", [0, 31, "abc", None])
def test_topic_deadline_is_one_to_thirty_days(regional, days):
    with pytest.raises(ValidationFailed):
        services.set_topic_deadline(regional, "account", days)


def test_staff_asks_and_the_report_counts_by_topic_municipality_and_month(
        staff, city, district, operator, regional, time_machine):
    time_machine.move_to(at(dt.date(2026, 9, 1), hour=9))
    first = services.ask(staff, {"topic": "program", "text": "Как загрузить программу?"})
    second = public_question(city)
    public_question(district)
    time_machine.move_to(at(dt.date(2026, 9, 1), hour=13))
    services.answer(operator, first, "Через импорт.")
    time_machine.move_to(at(dt.date(2026, 9, 10), hour=9))
    services.answer(operator, second, "Поздно, но ответили.")
    rows = selectors.report_rows(operator, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert [(r["municipality"], r["topic"], r["received"], r["answered"], r["on_time"]) for r in rows] == [
        (city.name, "Сертификат дополнительного образования", 1, 1, 0),
        (city.name, "Программы и организации", 1, 1, 1)]
    overall = selectors.report_overall(regional, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert overall["received"] == 3 and overall["answered"] == 2
    assert overall["on_time_share"] == 50.0
    assert overall["median_hours"] == (4 + 216) / 2
