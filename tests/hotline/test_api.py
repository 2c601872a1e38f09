"""The hotline and mailing API, checked against the API's own OpenAPI document."""

import jsonschema
import pytest
from django.test import Client

from opora.hotline import services
from opora.hotline.models import QuestionStatus
from tests.api.conftest import ApiClient
from tests.hotline.conftest import public_question


@pytest.fixture
def documented(db):
    document = Client().get("/api/v1/openapi.json").json()

    def check(method, template, response):
        responses = document["paths"][template][method.lower()]["responses"]
        status = str(response.status_code)
        assert status in responses, (template, status, sorted(responses))
        schema = responses[status]["content"]["application/json"]["schema"]
        jsonschema.validate(response.json(), {**schema, "components": document["components"]})
        return response

    return check


def test_parent_asks_and_reads_only_their_own_questions(documented, parent, other_parent, operator, city):
    mine = ApiClient(parent)
    asked = documented("POST", "/api/v1/hotline/questions", mine.post(
        "/hotline/questions", {"topic": "certificate", "text": "Как получить сертификат?"}))
    assert asked.status_code == 201
    body = asked.json()
    assert (body["status"], body["municipality"]["id"], body["channel"]) == ("new", city.pk, "cabinet")
    services.ask(other_parent, {"topic": "other", "text": "Чужой вопрос"})
    public_question(city)
    listed = documented("GET", "/api/v1/hotline/questions", mine.get("/hotline/questions"))
    assert [q["id"] for q in listed.json()["items"]] == [body["id"]]

    answered = documented("POST", "/api/v1/hotline/questions/{question_id}/answer", ApiClient(operator).post(
        f"/hotline/questions/{body['id']}/answer", {"text": "Подайте заявление в кабинете."}))
    assert answered.json()["status"] == QuestionStatus.ANSWERED
    read = documented("GET", "/api/v1/hotline/questions/{question_id}",
                      mine.get(f"/hotline/questions/{body['id']}"))
    assert read.json()["answer"] == "Подайте заявление в кабинете."
    assert [m["kind"] for m in read.json()["messages"]] == []  # the answer is the question's own field
    twice = ApiClient(operator).post(f"/hotline/questions/{body['id']}/answer", {"text": "Ещё раз"})
    assert (twice.status_code, twice.json()["code"]) == (409, "InvalidTransition")


def test_other_readers_get_404_and_bad_input_422(documented, parent, other_parent, other_operator, city):
    question = services.ask(parent, {"topic": "certificate", "text": "Вопрос"})
    assert ApiClient(other_parent).get(f"/hotline/questions/{question.pk}").status_code == 404
    assert ApiClient(other_operator).post(f"/hotline/questions/{question.pk}/answer",
                                          {"text": "Ответ"}).status_code == 404
    bad = ApiClient(parent).post("/hotline/questions", {"topic": "certificate", "text": "  "})
    assert bad.status_code == 422 and "text" in bad.json()["errors"]
    assert ApiClient(parent).post("/hotline/questions", {"topic": "weather", "text": "?"}).status_code == 422


def test_faq_is_public(documented, city, operator):
    question = public_question(city)
    services.answer(operator, question, "Ответ")
    question.refresh_from_db()
    services.publish_faq(operator, question, {"title": "Как получить сертификат?", "body": "Так."})
    faq = documented("GET", "/api/v1/hotline/faq", ApiClient().get("/hotline/faq"))
    assert [e["title"] for e in faq.json()["items"]] == ["Как получить сертификат?"]


def test_mailings_are_read_by_their_moc(documented, operator, other_operator, provider):
    from opora.mailing import services as mailing
    provider.email = "centre@example.org"
    provider.save()
    sent = mailing.send_mailing(operator, {"subject": "Тема", "body": "Текст", "to_providers": True})
    listed = documented("GET", "/api/v1/mailings", ApiClient(operator).get("/mailings"))
    assert [(m["id"], m["recipients_count"]) for m in listed.json()["items"]] == [(sent.pk, 1)]
    assert ApiClient(other_operator).get(f"/mailings/{sent.pk}").status_code == 404
