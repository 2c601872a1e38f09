"""Property-based fuzzing of the whole API from its own OpenAPI document, as every role.

For each role (anonymous, a parent, a provider's staff, the МОЦ, the education
authority, the РМЦ) every operation gets schemathesis-generated requests, valid and
invalid, sent through the WSGI application with the role's API token. Each answer must
be what the document promises: no server error, a documented status code and content
type, a body matching the documented schema, and invalid input refused.

The data is seeded so that generated requests reach deep code: a published program
with groups, a parent's child with a financing certificate, an application, a
contract offer, a final invoice with its lines and a data request sent to every
provider; path parameters, ids in bodies and
months are aimed at these rows most of the time. State-changing calls mostly answer
4xx with generated data, and some succeed: that is fine, only the contract is checked.

(Driven through hypothesis directly: schemathesis's pytest plugin does not support
pytest 9 yet.)
"""

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from opora.api import services as tokens
from opora.enrollment import services as enrollment
from opora.financing import contracts, settlement
from opora.financing.models import Contract, Invoice, InvoiceKind
from opora.registry.choices import FundingSource, ProgramStatus
from opora.surveys import services as surveys
from tests import factories as f
from tests.enrollment.conftest import add_child, open_group
from tests.financing.conftest import certify, make_certificate, make_period, paid_only_by
from tests.navigator.conftest import add_group

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, negative_data_rejection]

# Generated requests per operation, bounded so that the whole API is fuzzed with every
# role in well under a minute on SQLite; ``OPORA_FUZZ_SCALE=5`` digs deeper by hand.
SCALE = int(os.environ.get("OPORA_FUZZ_SCALE", "1"))
# A role's valid requests; anonymous requests to the back office are all refused at the
# door (401), so one each is enough.
VALID = 3 * SCALE
VALID_AT_THE_DOOR = 1
# Invalid input is refused while it is parsed, before anyone's rights are looked at, so
# each operation's invalid requests are sent as one signed-in role, the roles taking turns.
INVALID = 4 * SCALE

ROLES = ["anonymous", "parent", "staff", "operator", "authority", "regional"]
SIGNED_IN = ROLES[1:]


def _first_of_next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


@pytest.fixture
def world(wsgi_in_test_transaction, monkeypatch, city, provider, other_provider, staff, operator,
          authority, regional, parent):
    """Rows for generated requests to reach, all made through the services: the city's
    network program with an open group; a child with a certificate, applied to a
    certificate-only group and offered a contract; a second child whose contract is
    active and billed in a final invoice. Returns the ids generated requests are aimed
    at, and an API token of each role."""
    today = dt.date.today()
    start = _first_of_next_month(today)
    period = make_period(city, starts_on=today.replace(month=1, day=1),
                         ends_on=dt.date(start.year + 1, 8, 31))
    program = f.program(provider, status=ProgramStatus.PUBLISHED, title="Робототехника",
                        is_network=True)
    program.partners.set([f.organization(city, short_name="СОШ № 3")])
    now = timezone.now()
    add_group(program, sources=[(FundingSource.PAID, 1200)],
              enrolment=(now - dt.timedelta(days=1), now + dt.timedelta(days=30)))
    certified = f.program(provider, status=ProgramStatus.PUBLISHED, title="Шахматы ПФДО")
    certify(certified.modules.get())
    group = paid_only_by(open_group(certified, name="Шахматы-1", capacity_max=5, start_date=start,
                                    end_date=start + dt.timedelta(days=120)),
                         monthly_price=Decimal("4000.00"))
    f.program(other_provider, status=ProgramStatus.PUBLISHED, title="Туризм в районе")

    child = add_child(parent)
    certificate = make_certificate(child, period)
    offered = enrollment.confirm_application(
        staff, enrollment.submit_application(parent, child, group)[0])
    billed = add_child(parent, first_name="Борис")
    make_certificate(billed, period)
    enrolled = enrollment.confirm_application(
        staff, enrollment.submit_application(parent, billed, group)[0])
    contracts.accept_contract(parent, Contract.objects.get(application=enrolled))
    on_day = _first_of_next_month(start) + dt.timedelta(days=4)
    monkeypatch.setattr(settlement, "local_today", lambda: on_day)
    settlement.open_month(operator, city, start)
    settlement.close_month(operator, city, start)
    invoice = Invoice.objects.get(kind=InvoiceKind.FINAL)
    survey = surveys.send_survey(regional, surveys.save_survey(regional, {
        "title": "Кружки", "deadline": today + dt.timedelta(days=30), "municipalities": None,
        "asks_providers": True, "fields": [
            {"label": "Число кружков", "kind": "number"},
            {"label": "Бассейн", "kind": "choice", "options": ["да", "нет"]}]}))

    ids = {
        "program_id": program.pk, "organization_id": provider.pk, "organization": provider.pk,
        "municipality": city.pk, "application_id": offered.pk, "child_id": child.pk,
        "child": child.pk, "group": group.pk, "certificate_id": certificate.pk,
        "contract_uuid": str(Contract.objects.get(application=offered).uuid),
        "invoice_id": invoice.pk, "line_id": invoice.lines.get().pk, "month": start.strftime("%Y-%m"),
        "survey_id": survey.pk, "reply_id": survey.replies.get(organization=provider).pk,
    }
    secrets = {"anonymous": None}
    for role, persona in [("parent", parent), ("staff", staff), ("operator", operator),
                          ("authority", authority), ("regional", regional)]:
        secrets[role] = tokens.issue_token(None, persona, "Фаззинг")[1]
    return ids, secrets


@pytest.fixture(scope="module")
def requests(openapi_schema):
    """Each operation with its strategies of valid and invalid requests, built once."""
    return [(operation, {mode: operation.as_strategy(generation_mode=mode) for mode in GenerationMode})
            for operation in openapi_schema.operations]


def _aim(case, data, ids):
    """Point most of the generated ids and months at the seeded rows."""
    for container in (case.path_parameters, case.query,
                      case.body if isinstance(case.body, dict) else None):
        for name in list(container or ()):
            if name in ids and data.draw(st.sampled_from([True, True, True, False]), label=f"aim {name}"):
                container[name] = ids[name]


def _invalid_in_headers(case) -> bool:
    components = case.meta.components if case.meta else {}
    info = components.get(ParameterLocation.HEADER)
    return info is not None and info.mode == GenerationMode.NEGATIVE


def _takes_input(operation) -> bool:
    definition = operation.definition.raw
    return bool(definition.get("parameters") or definition.get("requestBody"))


def _fuzz(operation, strategy, mode, examples, headers, ids) -> list[str]:
    """Send ``examples`` generated requests; the failures found, as text."""

    @settings(max_examples=examples, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data):
        case = data.draw(strategy, label="case")
        if mode == GenerationMode.POSITIVE:
            _aim(case, data, ids)
        else:
            # The role's bearer token replaces a generated Authorization header, so a case
            # made invalid in its headers would be sent valid and wrongly expected refused.
            assume(not _invalid_in_headers(case))
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        run()
    except (Exception, BaseExceptionGroup) as error:  # every operation's failures are reported
        return [f"{operation.label} [{mode}]: {error}"]
    return []


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_documented(requests, world, role):
    ids, secrets = world
    headers = {"Authorization": f"Bearer {secrets[role]}"} if secrets[role] else {}
    failures = []
    for number, (operation, strategies) in enumerate(requests):
        public = not operation.definition.raw.get("security")
        valid = VALID if secrets[role] or public else VALID_AT_THE_DOOR
        failures += _fuzz(operation, strategies[GenerationMode.POSITIVE], GenerationMode.POSITIVE,
                          valid, headers, ids)
        if _takes_input(operation) and role == SIGNED_IN[number % len(SIGNED_IN)]:
            failures += _fuzz(operation, strategies[GenerationMode.NEGATIVE], GenerationMode.NEGATIVE,
                              INVALID, headers, ids)
    assert failures == [], "\n\n".join(failures)


def test_every_operation_of_the_document_is_fuzzed(requests, client):
    document = client.get("/api/v1/openapi.json").json()
    documented = {f"{method.upper()} {path}" for path, methods in document["paths"].items()
                  for method in methods}

    assert {operation.label for operation, _strategies in requests} == documented
    assert {"GET /api/v1/programs", "PATCH /api/v1/office/programs/{program_id}",
            "POST /api/v1/contracts/{contract_uuid}/decline", "POST /api/v1/settlement/close",
            "POST /api/v1/invoices/{invoice_id}/lines/{line_id}/completeness"} <= documented
