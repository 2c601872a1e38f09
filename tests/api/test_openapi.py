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
