"""Property-based fuzzing of the public catalog API from its own OpenAPI document:
every request schemathesis generates is answered without a server error and as
documented. (Driven through hypothesis directly: schemathesis's pytest plugin does not
support pytest 9 yet.)"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opora.registry.choices import Direction, FundingSource
from tests import factories as f
from tests.navigator.conftest import add_group

PUBLIC = (r"^/api/v1/(programs|organizations|directions|levels|forms|payments|ovz-kinds|"
          r"municipalities|specialisations)")


def _public_operations():
    from opora.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    schema = schema.include(method="GET", path_regex=PUBLIC)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.fixture
def catalog(db):
    # Requests go straight to the WSGI handler, whose request signals would close the
    # test's database connection inside its transaction; Django's test client
    # disconnects them the same way.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    provider = f.organization(short_name="ДДТ «Радуга»")
    program = f.program(provider, title="Робототехника", status="published",
                        direction=Direction.TECHNICAL)
    add_group(program, sources=[(FundingSource.PAID, 1200)])
    yield program
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_public_catalog_endpoints_are_all_fuzzed(db):
    paths = {operation.path for operation in _public_operations()}
    assert {"/api/v1/programs", "/api/v1/programs/{program_id}", "/api/v1/organizations",
            "/api/v1/directions"} <= paths


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_public_api_never_fails_and_answers_as_documented(catalog, data):
    operations = _public_operations()
    operation = data.draw(st.sampled_from(operations), label="operation")
    case = data.draw(operation.as_strategy(), label="case")

    response = case.call()

    assert response.status_code < 500, (case.path, case.query, response.text[:500])
    case.validate_response(response)
