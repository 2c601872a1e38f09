"""The data requests API, checked against the API's own OpenAPI document: every answer
below is validated by schemathesis against the operation it came from."""

import datetime as dt

import jsonschema
import pytest
from django.test import Client
from openapi_spec_validator import validate

from opora.surveys.models import Reply, ReplyStatus, Survey
from tests.api.conftest import ApiClient
from tests.surveys.conftest import field, reply_of, week_ahead

SURVEY_PATHS = {
    "/api/v1/surveys": ["get", "post"],
    "/api/v1/surveys/{survey_id}": ["get"],
    "/api/v1/surveys/{survey_id}/send": ["post"],
    "/api/v1/surveys/{survey_id}/remind": ["post"],
    "/api/v1/surveys/{survey_id}/replies": ["get"],
    "/api/v1/surveys/replies/{reply_id}": ["get"],
    "/api/v1/surveys/replies/{reply_id}/answers": ["post"],
    "/api/v1/surveys/replies/{reply_id}/submit": ["post"],
    "/api/v1/surveys/replies/{reply_id}/accept": ["post"],
    "/api/v1/surveys/replies/{reply_id}/return": ["post"],
}


@pytest.fixture
def documented(db):
    """``documented(method, path_template, response)`` checks that the status is one the
    published document lists for the operation and that the body matches its schema."""
    document = Client().get("/api/v1/openapi.json").json()

    def check(method, template, response):
        responses = document["paths"][template][method.lower()]["responses"]
        status = str(response.status_code)
        assert status in responses, (template, status, sorted(responses))
        schema = responses[status]["content"]["application/json"]["schema"]
        jsonschema.validate(response.json(), {**schema, "components": document["components"]})
        return response

    return check


def test_the_document_lists_the_survey_endpoints(db):
    document = Client().get("/api/v1/openapi.json").json()

    validate(document)
    paths = {path: sorted(methods) for path, methods in document["paths"].items()
             if path.startswith("/api/v1/surveys")}
    assert paths == SURVEY_PATHS
    assert document["paths"]["/api/v1/surveys"]["post"]["security"] == [{"TokenAuth": []},
                                                                        {"SessionAuth": []}]


def test_the_cycle_through_the_api(documented, regional, operator, staff, city, district, provider):
    rmc, moc, org = ApiClient(regional), ApiClient(operator), ApiClient(staff)

    created = documented("POST", "/api/v1/surveys", rmc.post("/surveys", {
        "title": "Педагоги", "deadline": week_ahead().isoformat(), "municipalities": [city.pk],
        "asks_providers": True, "fields": [
            {"label": "Педагогов", "kind": "number", "required": True},
            {"label": "Есть методист", "kind": "choice", "options": ["да", "нет"]}]}))
    assert created.status_code == 201
    survey_id = created.json()["id"]
    [count, choice] = [f["id"] for f in created.json()["fields"]]
    sent = documented("POST", "/api/v1/surveys/{survey_id}/send", rmc.post(f"/surveys/{survey_id}/send"))
    assert sent.json()["status"] == "sent"

    survey = Survey.objects.get()
    mine = reply_of(survey, provider)
    listed = documented("GET", "/api/v1/surveys/{survey_id}/replies", org.get(f"/surveys/{survey_id}/replies"))
    assert [r["id"] for r in listed.json()["items"]] == [mine.pk]

    bad = org.post(f"/surveys/replies/{mine.pk}/answers",
                   {"answers": [{"field": count, "value": "пять"}, {"field": choice, "value": "может"}]})
    assert bad.status_code == 422
    assert bad.json()["errors"] == {
        f"field_{count}": ["«Педагогов»: введите число (не больше двух знаков после запятой)."],
        f"field_{choice}": ["«Есть методист»: выберите один из вариантов списка."]}

    answered = documented("POST", "/api/v1/surveys/replies/{reply_id}/answers", org.post(
        f"/surveys/replies/{mine.pk}/answers",
        {"answers": [{"field": count, "value": "5"}, {"field": choice, "value": "да"}], "submit": True}))
    assert (answered.json()["status"], answered.json()["answers"][0]["number"]) == ("submitted", "5.00")
    twice = documented("POST", "/api/v1/surveys/replies/{reply_id}/submit",
                       org.post(f"/surveys/replies/{mine.pk}/submit"))
    assert (twice.status_code, twice.json()["code"]) == (409, "InvalidTransition")

    returned = documented("POST", "/api/v1/surveys/replies/{reply_id}/return", moc.post(
        f"/surveys/replies/{mine.pk}/return", {"remarks": "Проверьте"}))
    assert (returned.json()["status"], returned.json()["remarks"]) == ("returned", "Проверьте")
    org.post(f"/surveys/replies/{mine.pk}/submit")
    documented("POST", "/api/v1/surveys/replies/{reply_id}/accept", moc.post(f"/surveys/replies/{mine.pk}/accept"))

    municipal = reply_of(survey, municipality=city)
    moc.post(f"/surveys/replies/{municipal.pk}/answers",
             {"answers": [{"field": count, "value": "2"}], "submit": True})
    accepted = documented("POST", "/api/v1/surveys/replies/{reply_id}/accept",
                          rmc.post(f"/surveys/replies/{municipal.pk}/accept"))
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["answers"][0]["total"] == "7.00"
    detail = documented("GET", "/api/v1/surveys/replies/{reply_id}", rmc.get(f"/surveys/replies/{municipal.pk}"))
    assert detail.json()["late"] is False
    locked = moc.post(f"/surveys/replies/{municipal.pk}/answers", {"answers": [{"field": count, "value": "3"}]})
    assert locked.status_code == 409


def test_bad_requests_are_refused_with_their_reasons(documented, regional, city):
    client = ApiClient(regional)

    empty = documented("POST", "/api/v1/surveys", client.post("/surveys", {
        "title": " ", "deadline": (dt.date.today() - dt.timedelta(days=2)).isoformat(), "fields": []}))

    assert empty.status_code == 422
    assert empty.json()["errors"] == {
        "title": ["Укажите название запроса."],
        "deadline": ["Срок ответа уже прошёл: укажите сегодняшний день или позже."]}
    assert not Survey.objects.exists()


@pytest.mark.parametrize("persona", ["other_operator", "other_staff", "studio_staff"])
def test_another_territorys_reply_answers_404(request, documented, sent, provider, persona):
    client = ApiClient(request.getfixturevalue(persona))
    reply = reply_of(sent, provider)

    hidden = documented("GET", "/api/v1/surveys/replies/{reply_id}", client.get(f"/surveys/replies/{reply.pk}"))
    changed = client.post(f"/surveys/replies/{reply.pk}/answers",
                          {"answers": [{"field": field(sent, "Число кружков").pk, "value": "1"}]})

    assert hidden.status_code == changed.status_code == 404
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.PENDING


def test_a_provider_may_not_write_a_request(documented, staff):
    refused = documented("POST", "/api/v1/surveys", ApiClient(staff).post("/surveys", {
        "title": "Моё", "deadline": dt.date.today().isoformat(),
        "fields": [{"label": "Что", "kind": "text"}]}))

    assert refused.status_code == 403
    assert not Survey.objects.exists()
