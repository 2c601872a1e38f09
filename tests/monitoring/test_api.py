"""``GET /api/v1/indicators``: scoped like the page, answering as its OpenAPI document
promises (checked by schemathesis against the real document)."""

import datetime as dt

import pytest
from django.utils import timezone
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from opora.api import services as tokens
from tests.api.conftest import ApiClient

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]


def test_the_moc_reads_its_municipality_and_not_another(today_world, operator):
    api = ApiClient(operator)

    own = api.get("/indicators", breakdown="direction")
    other = api.get("/indicators", municipality=today_world["district"].pk)

    assert own.status_code == 200
    body = own.json()
    assert body["municipality"]["id"] == today_world["city"].pk
    coverage = next(row for row in body["indicators"] if row["code"] == "coverage")
    assert (coverage["numerator"], coverage["denominator"], coverage["target"]) == (2, 100, 80.0)
    assert {row["key"]: row["children"] for row in body["breakdown"]["rows"]} == {
        "technical": 1, "arts": 1}
    assert other.status_code == 403


def test_the_rmc_reads_the_region_and_any_municipality(today_world, regional):
    api = ApiClient(regional)

    region = api.get("/indicators").json()
    past = api.get("/indicators", municipality=today_world["district"].pk,
                   date=(timezone.localdate() - dt.timedelta(days=1)).isoformat()).json()

    assert region["municipality"] is None
    assert {row["name"]: row["children"] for row in region["municipalities"]} == {
        today_world["city"].name: 2, today_world["district"].name: 1}
    assert (past["frozen"], past["recomputed"]) == (True, True)
    assert api.get("/indicators", municipality=10**9).status_code == 404


@pytest.mark.parametrize("persona", ["staff", "parent"])
def test_others_are_refused(request, today_world, persona):
    assert ApiClient(request.getfixturevalue(persona)).get("/indicators").status_code == 403
    assert ApiClient().get("/indicators").status_code == 401


@pytest.mark.parametrize("query", [{}, {"breakdown": "age_band"}, {"breakdown": "municipality"},
                                   {"date": "2026-01-01"}])
def test_answers_match_the_openapi_document(openapi_schema, wsgi_in_test_transaction, today_world,
                                            regional, query):
    secret = tokens.issue_token(None, regional, "Проверка схемы")[1]
    operation = openapi_schema["/api/v1/indicators"]["GET"]

    case = operation.Case(query=query)
    headers = {"Authorization": f"Bearer {secret}"}
    response = case.call(headers=headers)

    assert response.status_code == 200, response.text[:500]
    case.validate_response(response, checks=CHECKS, headers=headers)
