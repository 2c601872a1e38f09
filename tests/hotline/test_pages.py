"""Pages of the hotline: the public form, the signed link, the cabinet, the operator's
queue and question, FAQ, the report — with HTML safety, permissions and query counts."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from opora.hotline import links, services
from opora.hotline.models import Question, QuestionStatus
from tests.hotline.conftest import public_question

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _no_markup_of(html):
    assert "<script>alert" not in html
    assert "<img src=x onerror" not in html
    assert "&lt;script&gt;" in html


def test_anyone_asks_from_the_navigator_and_gets_the_link(client, city):
    response = client.get(reverse("hotline:ask") + "?topic=certificate")
    assert response.status_code == 200
    assert 'value="certificate" selected' in response.content.decode()
    response = client.post(reverse("hotline:ask"), {
        "name": "Анна", "email": "anna@example.org", "municipality": city.pk,
        "topic": "certificate", "text": "Как получить сертификат?", "consent": "on"})
    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hotline:by_link", args=[links.token_of(question)])
    page = client.get(response["Location"]).content.decode()
    assert f"Вопрос № {question.number}" in page and "Как получить сертификат?" in page


def test_public_form_without_consent_or_contact_keeps_nothing(client, city):
    response = client.post(reverse("hotline:ask"), {
        "name": "Анна", "municipality": city.pk, "topic": "certificate", "text": "Вопрос"})
    assert response.status_code == 400
    response = client.post(reverse("hotline:ask"), {
        "name": "Анна", "municipality": city.pk, "topic": "certificate", "text": "Вопрос",
        "consent": "on"})
    assert response.status_code == 400
    assert "Укажите e-mail или телефон, чтобы мы могли ответить." in response.content.decode()
    assert not Question.objects.exists()


def test_script_in_a_question_never_reaches_a_page(client, city, operator, parent):
    question = public_question(city, name="Анна " + XSS, text=XSS)
    _no_markup_of(client.get(reverse("hotline:by_link", args=[links.token_of(question)])).content.decode())
    client.force_login(operator)
    _no_markup_of(client.get(reverse("hotline:question", args=[question.pk])).content.decode())
    _no_markup_of(client.get(reverse("hotline:queue")).content.decode())
    services.answer(operator, question, XSS)
    question.refresh_from_db()
    entry = services.publish_faq(operator, question, {"title": XSS[:30], "body": XSS[30:],
                                                      "topic": "other"})
    client.logout()
    _no_markup_of(client.get(reverse("hotline:faq")).content.decode())
    assert entry.body == XSS[30:]  # kept as typed, escaped on the way out
    client.force_login(parent)
    asked = services.ask(parent, {"topic": "other", "text": XSS})
    _no_markup_of(client.get(reverse("hotline:mine_detail", args=[asked.pk])).content.decode())


def test_a_forged_link_finds_nothing(client, question):
    token = links.token_of(question)
    assert client.get(reverse("hotline:by_link", args=[token[:-2] + "xx"])).status_code == 404


def test_asker_answers_the_request_for_details_by_the_link(client, question, operator):
    services.request_details(operator, question, "Какой у ребёнка возраст?")
    url = reverse("hotline:by_link", args=[links.token_of(question)])
    page = client.get(url).content.decode()
    assert "Какой у ребёнка возраст?" in page and "Отправить уточнение" in page
    assert client.post(url, {"text": "Шесть лет"}).status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.IN_WORK


def test_parent_reads_only_their_own_questions_in_the_cabinet(client, parent, other_parent):
    mine = services.ask(parent, {"topic": "certificate", "text": "Мой вопрос о сертификате"})
    theirs = services.ask(other_parent, {"topic": "certificate", "text": "Чужой вопрос"})
    client.force_login(parent)
    listing = client.get(reverse("hotline:mine")).content.decode()
    assert "Мой вопрос о сертификате" in listing and "Чужой вопрос" not in listing
    assert client.get(reverse("hotline:mine_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("hotline:mine_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("hotline:mine_file", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("hotline:question", args=[mine.pk])).status_code == 403


def test_parent_reads_the_answer_in_the_cabinet(client, parent, operator):
    question = services.ask(parent, {"topic": "certificate", "text": "Когда выдадут сертификат?"})
    client.force_login(operator)
    response = client.post(reverse("hotline:answer", args=[question.pk]),
                           {"answer-text": "В течение пяти рабочих дней."})
    assert response.status_code == 302
    assert mail.outbox[-1].to == [parent.email]
    assert f"/cabinet/questions/{question.pk}/" in mail.outbox[-1].body
    client.force_login(parent)
    page = client.get(reverse("hotline:mine_detail", args=[question.pk])).content.decode()
    assert "В течение пяти рабочих дней." in page


def test_operator_of_another_municipality_does_not_see_the_question(client, question, other_operator):
    client.force_login(other_operator)
    assert client.get(reverse("hotline:question", args=[question.pk])).status_code == 404
    assert client.post(reverse("hotline:answer", args=[question.pk]),
                       {"answer-text": "Ответ"}).status_code == 404
    question.refresh_from_db()
    assert question.status == QuestionStatus.NEW
    assert question.text not in client.get(reverse("hotline:queue")).content.decode()


def test_empty_answer_comes_back_with_the_message(client, question, operator):
    client.force_login(operator)
    response = client.post(reverse("hotline:answer", args=[question.pk]), {"answer-text": ""})
    assert response.status_code == 400
    question.refresh_from_db()
    assert question.status == QuestionStatus.NEW


@pytest.mark.parametrize("persona, status", [
    ("parent", 403), ("staff", 403), ("authority", 403), ("operator", 200), ("regional", 200)])
def test_queue_is_open_to_those_who_answer(client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("hotline:queue")).status_code == status


@pytest.mark.parametrize("persona, status", [
    ("parent", 403), ("staff", 403), ("authority", 200), ("operator", 200), ("regional", 200)])
def test_report_is_open_to_the_territory(client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("hotline:report")).status_code == status


def test_queue_query_count_does_not_grow_with_its_rows(client, city, operator,
                                                       django_assert_max_num_queries):
    client.force_login(operator)
    for n in range(3):
        public_question(city, text=f"Вопрос {n}")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("hotline:queue"))
    for n in range(20):
        public_question(city, text=f"Ещё вопрос {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("hotline:queue"))


def test_report_downloads_as_excel(client, question, operator):
    client.force_login(operator)
    today = dt.date.today()
    response = client.get(reverse("hotline:report"), {"start": f"{today.year}-01-01",
                                                      "end": today.isoformat(), "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Месяц", "Муниципалитет", "Тема", "Поступило вопросов")
    assert rows[1][1:4] == (question.municipality.name, "Сертификат дополнительного образования", 1)


def test_faq_is_published_from_the_question_page(client, question, operator):
    services.answer(operator, question, "Заявление подаётся в кабинете.")
    client.force_login(operator)
    page = client.get(reverse("hotline:faq_create", args=[question.pk]))
    assert page.status_code == 200
    response = client.post(reverse("hotline:faq_create", args=[question.pk]), {
        "title": "Как получить сертификат?", "body": "Заявление подаётся в кабинете.",
        "topic": "certificate"})
    assert response.status_code == 302
    client.logout()
    assert "Как получить сертификат?" in client.get(reverse("hotline:faq")).content.decode()


def test_settings_page_keeps_the_desk_and_the_calendar(client, operator, city):
    client.force_login(operator)
    assert client.get(reverse("hotline:settings")).status_code == 200
    client.post(reverse("hotline:settings"), {"form": "desk", "phone": "8 (800) 100-20-30",
                                              "hours": "пн–пт 9:00–18:00", "head_name": "Кравцова",
                                              "head_email": "head@moc.example"})
    assert city.hotline_desk.head_email == "head@moc.example"
    response = client.post(reverse("hotline:settings"), {"form": "day", "date": "2026-11-07",
                                                         "is_working": "0", "note": ""})
    assert response.status_code == 400
    assert "суббота или воскресенье" in response.content.decode()
    client.logout()
    assert '<a href="tel:88001002030">8 (800) 100-20-30</a>' in client.get(reverse("hotline:ask")).content.decode()
