"""The open API: the catalog with the page's filters and facets, a program with its
groups, organizations, dictionaries; Russian 422s naming the parameter, never a 500."""

import json
import string

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from opora.navigator.catalog import search_catalog
from opora.navigator.filters import Filters
from tests import factories as f
from tests.navigator.conftest import add_group

pytestmark = pytest.mark.usefixtures("api_urls")


def get(client, path, query=None):
    return client.get("/api/v1" + path, query or {})


def test_programs_lists_the_catalog_with_facets(client, catalog):
    body = get(client, "/programs", {"q": "робот", "age": "12"}).json()
    assert body["count"] == 2 and body["page"] == 1 and body["pages"] == 1
    assert {item["title"] for item in body["items"]} == {"Робототехника", "Клуб юных роботов"}
    club = next(item for item in body["items"] if item["title"] == "Клуб юных роботов")
    assert club["badges"] == [{"kind": "certificate", "label": "Возможна оплата сертификатом",
                               "monthly_price": None}]
    assert club["organization"]["short_name"] == "Сельская школа"
    assert club["forms"] == ["full_time", "distance"] and club["levels"] == ["advanced"]
    directions = {c["value"]: c["count"] for c in body["facets"]["direction"]}
    assert directions["technical"] == 2 and directions["arts"] == 0


def test_programs_api_and_page_give_the_same_results(client, catalog):
    query = {"direction": ["technical", "sports"], "payment": "free", "sort": "title"}
    body = get(client, "/programs", query).json()
    expected = search_catalog(Filters(direction=1 | 32, payment=1, sort="title"))
    assert [item["id"] for item in body["items"]] == [p.pk for p in expected.items]
    assert body["count"] == expected.count == 2


@pytest.mark.parametrize(("query", "parameter"), [
    ({"age": "abc"}, "age"), ({"age": "-3"}, "age"), ({"direction": "cosmos"}, "direction"),
    ({"page": "0"}, "page"), ({"page": str(10**30)}, "page"), ({"page_size": "101"}, "page_size"),
    ({"max_price": "-1"}, "max_price"), ({"free_seats": "может быть"}, "free_seats"),
    ({"sort": "price"}, "sort"), ({"municipality": "1.5"}, "municipality"),
])
def test_bad_parameter_gets_422_in_russian_naming_it(client, catalog, query, parameter):
    response = get(client, "/programs", query)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == parameter
    assert body["detail"].startswith(f"Параметр «{parameter}»: ")
    assert list(body["errors"]) == [parameter]


@pytest.mark.parametrize(("query", "parameter"), [
    ({"municipality": "\t"}, "municipality"), ({"free_seats": ""}, "free_seats"),
    ({"level": ["base", " "]}, "level"), ({"sort": ""}, "sort"),
])
def test_blank_value_of_a_typed_parameter_is_refused_as_documented(client, catalog, query, parameter):
    """The page's form sends a blank value for «any»; the API's document promises a
    number, a code or true/false, so a blank one is refused there."""
    response = get(client, "/programs", query)

    assert response.status_code == 422
    assert (response.json()["detail"], response.json()["field"]) == (
        f"Параметр «{parameter}»: значение не может быть пустым.", parameter)


def test_blank_query_is_no_query(client, catalog):
    assert get(client, "/programs", {"q": " "}).json()["count"] == get(client, "/programs").json()["count"]


def test_program_detail_has_groups_with_schedule_and_funding(client, catalog):
    body = get(client, f"/programs/{catalog.chess.pk}").json()
    assert body["title"] == "Шахматы для начинающих"
    assert body["ovz"] == ["speech"] and body["seasonal"] == "summer_school"
    assert body["organization_detail"]["is_rural"] is True
    [group] = body["groups"]
    assert group["schedule"] == [{"weekdays": "Пн, Ср", "time_from": "15:00", "time_to": "16:30",
                                  "lesson_minutes": 40, "address": ""}]
    assert [(line["source"], line["monthly_price"]) for line in group["funding"]] == [
        ("budget", "0.00"), ("paid", "900.00")]
    assert (group["capacity"], group["free_seats"], group["enrolment"]) == (15, 15, "closed")
    partners = get(client, f"/programs/{catalog.ecology.pk}").json()["partners"]
    assert [p["short_name"] for p in partners] == ["Сельская школа"]


def test_hidden_program_and_inactive_organization_are_not_found(client, catalog):
    for program in catalog.hidden:
        response = get(client, f"/programs/{program.pk}")
        assert response.status_code == 404
        assert response.json()["detail"] == "Программа не найдена или снята с публикации."
    assert get(client, f"/organizations/{catalog.inactive_provider.pk}").status_code == 404
    ids = [item["id"] for item in get(client, "/programs", {"page_size": 100}).json()["items"]]
    assert sorted(ids) == sorted(p.pk for p in catalog.public)


def test_organizations_and_dictionaries(client, catalog):
    body = get(client, "/organizations", {"municipality": catalog.district.pk}).json()
    assert body["count"] == 1 and body["items"][0]["short_name"] == "Сельская школа"
    names = [o["short_name"] for o in get(client, "/organizations").json()["items"]]
    assert "Закрытый центр" not in names and "ДДТ «Радуга»" in names
    assert get(client, f"/organizations/{catalog.provider.pk}").json()["email"] == "raduga@example.org"
    assert [d["code"] for d in get(client, "/directions").json()] == [
        "technical", "natural_science", "arts", "tourism", "social", "sports"]
    assert [d["code"] for d in get(client, "/levels").json()] == ["start", "base", "advanced"]
    assert [d["code"] for d in get(client, "/forms").json()] == [
        "full_time", "mixed", "correspondence", "distance", "network"]


def test_programs_endpoint_runs_the_same_queries_for_3_and_30_programs(client, provider):
    counts = []
    for size in (3, 27):
        for n in range(size):
            add_group(f.program(provider, title=f"Кружок {n}", status="published"))
        with CaptureQueriesContext(connection) as queries:
            assert get(client, "/programs", {"q": "кружок", "page_size": 100}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6


def test_program_detail_runs_the_same_queries_for_1_and_8_groups(client, catalog):
    with CaptureQueriesContext(connection) as one:
        get(client, f"/programs/{catalog.dance.pk}")
    for n in range(7):
        add_group(catalog.dance, start_in_days=80 + n)
    with CaptureQueriesContext(connection) as eight:
        assert len(get(client, f"/programs/{catalog.dance.pk}").json()["groups"]) == 8
    assert len(one) == len(eight)


def test_openapi_schema_is_valid(client):
    from tests.navigator.urls import API

    spec = json.loads(json.dumps(API.get_openapi_schema(path_prefix="/api/v1")))
    validate(spec)
    parameters = {p["name"] for p in spec["paths"]["/api/v1/programs"]["get"]["parameters"]}
    assert parameters >= {"q", "municipality", "direction", "specialisation", "age", "level", "form",
                          "payment", "max_price", "ovz", "organization", "free_seats", "open", "page",
                          "page_size"}


GARBAGE = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "\x00", "%", "'", '"', ";--", "null", "[]", "1e309", "０７", "true",
                     "technical", "free", "base,advanced", "1,2", "робот", "DROP TABLE", "9" * 40]),
    st.text(alphabet=string.digits, min_size=1, max_size=25),
)
PARAMETERS = ["q", "municipality", "direction", "specialisation", "age", "level", "form", "payment",
              "max_price", "ovz", "seasonal", "organization", "rural", "free_seats", "open", "sort",
              "page", "page_size", "unknown"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(st.sampled_from(PARAMETERS), st.lists(GARBAGE, min_size=1, max_size=3),
                             max_size=6))
def test_fuzzed_programs_queries_never_fail_on_the_server(client, catalog, query):
    response = get(client, "/programs", query)
    assert response.status_code in (200, 422), (query, response.content[:300])
    body = response.json()
    if response.status_code == 422:
        assert body["field"] in PARAMETERS and body["detail"].startswith("Параметр «")
    else:
        assert body["count"] >= len(body["items"])
