"""Property-based fuzzing of the public catalog API from its own OpenAPI document:
every request schemathesis generates is answered without a server error and as
documented. (Driven through hypothesis directly: schemathesis's pytest plugin does not
support pytest 9 yet.) The document and the operations' strategies are built once for
the module, not for each example."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opora.registry.choices import Direction, FundingSource
from tests import factories as f
from tests.navigator.conftest import add_group

PUBLIC = re.compile(r"^/api/v1/(programs|organizations|directions|levels|forms|payments|ovz-kinds|"
                    r"municipalities|specialisations)")


@pytest.fixture(scope="module")
def public_operations(openapi_schema):
    return [operation for operation in openapi_schema.operations
            if operation.method.upper() == "GET" and PUBLIC.match(operation.path)]


@pytest.fixture(scope="module")
def public_requests(public_operations):
    """Requests to any public operation, the operation drawn first."""
    return st.one_of(*[operation.as_strategy() for operation in public_operations])


@pytest.fixture
def catalog(wsgi_in_test_transaction):
    provider = f.organization(short_name="ДДТ «Радуга»")
    program = f.program(provider, title="Робототехника", status="published",
                        direction=Direction.TECHNICAL)
    add_group(program, sources=[(FundingSource.PAID, 1200)])
    return program


def test_the_public_catalog_endpoints_are_all_fuzzed(public_operations):
    paths = {operation.path for operation in public_operations}
    assert {"/api/v1/programs", "/api/v1/programs/{program_id}", "/api/v1/organizations",
            "/api/v1/directions"} <= paths


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_public_api_never_fails_and_answers_as_documented(catalog, public_requests, data):
    case = data.draw(public_requests, label="case")

    response = case.call()

    assert response.status_code < 500, (case.path, case.query, response.text[:500])
    case.validate_response(response)
