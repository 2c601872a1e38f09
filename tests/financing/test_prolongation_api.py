"""The prolongation API: the provider proposes a group, the payer runs the municipality
and sets the rule, the parent reads the offer and accepts it with the contract
endpoint; nobody reaches another organization's or municipality's offers."""

from decimal import Decimal

import pytest

from opora.financing.models import Contract, ContractStatus, ProlongationOffer
from opora.financing.prolongation import settings_of
from tests.api.conftest import ApiClient
from tests.financing.prolongation_fixtures import class_of, school_years, two_year_program

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def school(city, provider):
    current, new = school_years(city)
    _program, this_year, next_year = two_year_program(provider)
    return new, this_year, next_year, class_of(2, city, this_year, current, new)


def test_provider_proposes_and_the_parent_accepts(staff, school):
    new, this_year, next_year, pupils = school
    keep = pupils[0][1].pk

    answer = ApiClient(staff).post(f"/prolongation/groups/{this_year.pk}", {"contracts": [keep]})

    assert answer.status_code == 200, answer.content
    body = {o["source_contract"]: o for o in answer.json()}
    assert body[pupils[0][1].number]["status"] == "offered"
    assert body[pupils[0][1].number]["certificate_part"] == "30000.00"
    assert body[pupils[0][1].number]["group"]["id"] == next_year.pk
    assert body[pupils[1][1].number]["status"] == "left_out"

    parent = pupils[0][0]
    mine = ApiClient(parent).get("/prolongation/offers").json()
    assert mine["count"] == 1 and mine["items"][0]["status"] == "offered"
    contract_uuid = mine["items"][0]["contract_uuid"]
    accepted = ApiClient(parent).post(f"/contracts/{contract_uuid}/accept")
    assert accepted.status_code == 200
    assert Contract.objects.get(uuid=contract_uuid).status == ContractStatus.ACTIVE
    assert ApiClient(parent).get("/prolongation/offers").json()["items"][0]["status"] == "accepted"


def test_payer_runs_and_sets_the_rule(operator, city, school):
    answer = ApiClient(operator).post("/prolongation/run")
    assert answer.status_code == 200
    assert (answer.json()["made"], answer.json()["counts"]["offered"]) == (2, 2)
    assert ApiClient(operator).post("/prolongation/run").json()["made"] == 0

    assert ApiClient(operator).put("/prolongation/settings", {"auto_accept_days": 5}).json() == {
        "auto_accept_days": 5}
    assert settings_of(city).auto_accept_days == 5
    refused = ApiClient(operator).put("/prolongation/settings", {"auto_accept_days": 500})
    assert refused.status_code == 422 and settings_of(city).auto_accept_days == 5
    boolean = ApiClient(operator).put("/prolongation/settings", {"auto_accept_days": True})
    assert boolean.status_code == 422 and settings_of(city).auto_accept_days == 5


@pytest.mark.parametrize("who", ["staff", "parent", "regional", "other_operator"])
def test_only_the_payer_runs(request, who, school):
    answer = ApiClient(request.getfixturevalue(who)).post("/prolongation/run")
    assert answer.status_code in (403, 404, 422)
    assert ProlongationOffer.objects.count() == 0


def test_another_provider_cannot_propose_and_sees_nothing(other_staff, staff, school):
    new, this_year, *_rest = school
    assert ApiClient(other_staff).post(f"/prolongation/groups/{this_year.pk}").status_code == 403
    ApiClient(staff).post(f"/prolongation/groups/{this_year.pk}")
    assert ApiClient(other_staff).get("/prolongation/offers").json()["count"] == 0
    assert ApiClient(staff).get("/prolongation/offers").json()["count"] == 2
