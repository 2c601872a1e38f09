"""The office API shows a group's price waiting for the МОЦ next to the published one,
and lets the МОЦ approve or return it; the provider cannot."""

from decimal import Decimal

import pytest

from opora.registry import services
from opora.registry.choices import FundingSource
from opora.registry.models import GroupFunding
from tests import factories as f
from tests.registry.prices import line, save_prices

CERT = FundingSource.CERTIFICATE


@pytest.fixture
def proposed(program, staff, operator):
    group = f.group(program, name="Группа 1-А")
    GroupFunding.objects.filter(group=group).delete()
    GroupFunding.objects.create(group=group, source=CERT, monthly_price=Decimal("1600"),
                                total_price=Decimal("14400"))
    services.submit_program(staff, program)
    services.publish_program(operator, program)
    save_prices(staff, group, [line(CERT, "9999", "89991")])
    return group


def _funding(body, key):
    return [(x["source"], x["monthly_price"]) for x in body["modules"][0]["groups"][0][key]]


def test_the_card_shows_the_published_and_the_proposed_price(api, program, proposed, staff):
    body = api(staff).get(f"/office/programs/{program.pk}").json()

    assert _funding(body, "funding") == [(CERT, "1600.00")]
    assert _funding(body, "proposed_funding") == [(CERT, "9999.00")]
    proposal = [e for e in body["history"] if e["action"] == "registry.group.price_proposed"]
    assert [(e["action_label"], e["details"]) for e in proposal] == [(
        "Предложена новая стоимость группы, она ждёт проверки МОЦ",
        "группа «Группа 1-А», Сертификат: 1\xa0600\xa0₽ → 9\xa0999\xa0₽ в месяц; "
        "за обучение 14\xa0400\xa0₽ → 89\xa0991\xa0₽")]


def test_the_operator_approves_through_the_api(api, program, proposed, operator):
    response = api(operator).post(f"/office/programs/{program.pk}/prices/approve")

    assert response.status_code == 200
    assert _funding(response.json(), "funding") == [(CERT, "9999.00")]
    assert _funding(response.json(), "proposed_funding") == []


def test_the_operator_returns_through_the_api(api, program, proposed, operator):
    response = api(operator).post(f"/office/programs/{program.pk}/prices/return",
                                  {"remark": "Обоснуйте рост цены."})

    assert response.status_code == 200
    assert _funding(response.json(), "funding") == [(CERT, "1600.00")]
    assert _funding(response.json(), "proposed_funding") == []


def test_the_provider_cannot_approve_through_the_api(api, program, proposed, staff):
    response = api(staff).post(f"/office/programs/{program.pk}/prices/approve")

    assert response.status_code == 403
    assert list(GroupFunding.objects.filter(group=proposed).values_list("monthly_price", flat=True)) == [
        Decimal("1600.00")]
