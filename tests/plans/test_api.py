"""The read API of plans: the list, one plan with its items, «Мой план», scoping."""

import pytest

from tests.api.conftest import ApiClient
from tests.plans.conftest import approve


def test_the_moc_reads_its_plan_with_items(operator, filled):
    answer = ApiClient(operator).http.get(f"/api/v1/plans/{filled.pk}")

    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "draft" and len(body["items"]) == 10
    nine = body["items"][8]
    assert (nine["number"], nine["recurrence"], nine["responsible"]) == (
        "9", "monthly", ["Заместитель начальника Управления образования Сухорукова И.В."])
    assert ApiClient(operator).http.get("/api/v1/plans").json()["count"] == 1


def test_a_draft_is_hidden_from_others(other_operator, authority, regional, filled):
    for user in (other_operator, authority, regional):
        client = ApiClient(user).http
        assert client.get(f"/api/v1/plans/{filled.pk}").status_code == 404
        assert client.get("/api/v1/plans").json()["count"] == 0


def test_my_plan_through_the_api(operator, authority, staff, filled):
    approve(operator, authority, filled)
    item = filled.items.get(number="3")
    item.responsible_users.add(staff)

    body = ApiClient(staff).http.get("/api/v1/plans/mine").json()

    assert [entry["number"] for entry in body["items"]] == ["3"]
    assert body["items"][0]["overdue"] is True
    assert ApiClient(authority).http.get("/api/v1/plans", {"status": "approved"}).json()["count"] == 1


def _media_plan_with_a_publication(operator, authority):
    from opora.plans import services
    from tests.plans.conftest import make_plan

    media = make_plan(operator, code="media_plan")
    services.save_item(operator, media, {"number": "1", "title": "Новости МОЦ", "deadline_text": "ежемесячно",
                                         "channel": "social"})
    approve(operator, authority, media)
    services.add_publication(operator, media.items.get(), {
        "published_on": f"{media.year}-03-05", "channel": "social", "title": "Запись в кружки открыта",
        "url": "https://vk.com/wall-1_2", "reach": 1200})
    return media


def test_a_media_plan_reads_with_its_publications(operator, authority, staff):
    media = _media_plan_with_a_publication(operator, authority)
    media.items.get().responsible_users.add(staff)

    item = ApiClient(operator).http.get(f"/api/v1/plans/{media.pk}").json()["items"][0]
    mine = ApiClient(staff).http.get("/api/v1/plans/mine").json()["items"][0]

    assert item["channel"] == "social"
    assert item["publications"] == [{
        "id": media.items.get().publications.get().pk, "published_on": f"{media.year}-03-05",
        "channel": "social", "channel_label": "социальные сети", "title": "Запись в кружки открыта",
        "url": "https://vk.com/wall-1_2", "reach": 1200}]
    assert mine["publications"] == item["publications"]


@pytest.mark.urls("tests.api.urls")
@pytest.mark.parametrize("path", ["/api/v1/plans/{plan_id}", "/api/v1/plans/mine", "/api/v1/plans"])
def test_answers_match_the_openapi_document(openapi_schema, wsgi_in_test_transaction, operator, authority,
                                            path):
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    from opora.api import services as tokens

    media = _media_plan_with_a_publication(operator, authority)
    media.items.get().responsible_users.add(operator)
    secret = tokens.issue_token(None, operator, "Проверка схемы")[1]
    operation = openapi_schema[path]["GET"]
    case = operation.Case(path_parameters={"plan_id": media.pk} if "{" in path else {})
    headers = {"Authorization": f"Bearer {secret}"}

    response = case.call(headers=headers)

    assert response.status_code == 200, response.text[:500]
    assert ("Запись в кружки открыта" in response.text) == (path != "/api/v1/plans")
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance,
                                             content_type_conformance, response_schema_conformance],
                           headers=headers)
