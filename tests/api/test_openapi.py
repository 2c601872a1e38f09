"""The published description of the API is a valid OpenAPI document listing every endpoint."""

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.urls("tests.api.urls")


def test_openapi_document_is_valid_and_lists_the_registry_endpoints(api):
    response = api().get("/openapi.json")

    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["info"]["title"] == "Opora API"
    assert document["info"]["version"] == "1"
    paths = {path: sorted(methods) for path, methods in document["paths"].items()}
    registry = {path: methods for path, methods in paths.items()
                if path.startswith(("/api/v1/office/", "/api/v1/dictionaries"))}
    assert registry == {
        "/api/v1/office/programs": ["get", "post"],
        "/api/v1/office/programs/{program_id}": ["get", "patch"],
        "/api/v1/office/programs/{program_id}/submit": ["post"],
        "/api/v1/office/programs/{program_id}/publish": ["post"],
        "/api/v1/office/programs/{program_id}/return": ["post"],
        "/api/v1/office/programs/{program_id}/archive": ["post"],
        "/api/v1/office/programs/{program_id}/prices/approve": ["post"],
        "/api/v1/office/programs/{program_id}/prices/return": ["post"],
        "/api/v1/dictionaries": ["get"],
    }


def test_back_office_endpoints_require_sign_in_and_dictionaries_do_not(api):
    paths = api().get("/openapi.json").json()["paths"]

    assert {"SessionAuth": []} in paths["/api/v1/office/programs"]["get"]["security"]
    assert "security" not in paths["/api/v1/dictionaries"]["get"]


def test_flag_fields_are_documented_as_lists_of_codes(api):
    schema = api().get("/openapi.json").json()["components"]["schemas"]["ProgramIn"]

    assert schema["properties"]["levels"]["items"]["enum"] == ["start", "base", "advanced"]
    assert schema["properties"]["registers"]["items"]["enum"] == [
        "pre_professional", "significant", "other", "certified", "paid"]


def test_docs_page_opens(api):
    response = api().get("/docs")

    assert response.status_code == 200
    assert b"/api/v1/openapi.json" in response.content


# --- what the document promises is what the API answers ----------------------------------

def _operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_lists_the_refusals_the_api_machinery_gives(api):
    document = api().get("/openapi.json").json()

    missing = {}
    for name, operation in _operations(document):
        expected = {"503"}
        if operation.get("requestBody"):
            expected |= {"400", "422"}
        if operation.get("security"):
            expected |= {"401", "403"}
        if any(p["in"] == "path" for p in operation["parameters"]):
            expected |= {"404", "422"}
        if operation["parameters"]:
            expected.add("422")
        if expected - set(operation["responses"]):
            missing[name] = sorted(expected - set(operation["responses"]))
    assert missing == {}
    busy = document["paths"]["/api/v1/programs"]["get"]["responses"]["503"]
    assert busy["headers"]["Retry-After"]["required"] is True
    assert busy["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}


def test_malformed_json_is_a_documented_400(api, staff, program):
    response = api(staff).http.post(f"/api/v1/office/programs/{program.pk}/return", "{remark: ",
                                    content_type="application/json")
    responses = api().get("/openapi.json").json()["paths"][
        "/api/v1/office/programs/{program_id}/return"]["post"]["responses"]

    assert response.status_code == 400
    assert response.json() == {"detail": "Не удалось прочитать тело запроса: ожидается JSON.",
                               "field": None, "code": "BadRequest"}
    assert responses["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"}


def test_public_path_parameter_that_is_not_a_number_is_a_documented_422(api):
    response = api().get("/programs/abc")
    responses = api().get("/openapi.json").json()["paths"]["/api/v1/programs/{program_id}"]["get"][
        "responses"]

    assert response.status_code == 422
    assert response.json()["field"] == "program_id"
    assert responses["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationErrorOut"}
    assert "security" not in api().get("/openapi.json").json()["paths"][
        "/api/v1/programs/{program_id}"]["get"]
    assert not {"401", "403"} & set(responses)


def test_schedule_times_are_documented_as_the_hours_and_minutes_they_are(api):
    schema = api().get("/openapi.json").json()["components"]["schemas"]["ScheduleLineOut"]

    for name in ("time_from", "time_to"):
        assert schema["properties"][name] == {
            "type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "examples": ["15:30"],
            "description": "Время ЧЧ:ММ (местное время региона)", "title": schema["properties"][name]["title"]}


def test_a_text_parameter_is_documented_without_the_nul_it_is_refused_for(api):
    """The parser refuses a NUL in any parameter with a 422; the document's pattern says
    so, or a client generating valid requests from it (the fuzz tests) sends one."""
    import re

    parameters = {p["name"]: p["schema"] for p in api().get("/openapi.json").json()["paths"][
        "/api/v1/programs"]["get"]["parameters"]}
    text = next(s for s in parameters["q"]["anyOf"] if s["type"] == "string")
    refused = api().get("/programs?q=%D1%82%D0%B0%D0%BD%D1%86%D1%8B%00")

    assert refused.status_code == 422 and refused.json()["field"] == "q"
    assert not re.fullmatch(text["pattern"], "танцы\x00") and re.fullmatch(text["pattern"], "танцы")
    # a choice keeps its enum and no pattern
    choice = next(s for s in parameters["direction"]["anyOf"] if s["type"] == "array")["items"]
    assert "enum" in choice and "pattern" not in choice
