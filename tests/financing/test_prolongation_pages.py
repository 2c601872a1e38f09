"""Pages of prolongation: the provider's groups and the proposal of one group (all
children checked, the next module's group chosen), the payer's report with the bulk run
and the rule of automatic acceptance, and the parent's offer with the new period's
reserve; each refused outside its reader's scope."""

from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import translation

from opora.financing.models import Contract, ProlongationOffer, ProlongationStatus
from opora.financing.prolongation import settings_of
from tests.financing.prolongation_fixtures import class_of, school_years, two_year_program

pytestmark = pytest.mark.django_db
D = Decimal


def rub(amount: str) -> str:
    with translation.override("ru"):
        return floatformat(D(amount), "2g")


@pytest.fixture
def school(city, provider):
    current, new = school_years(city)
    _program, this_year, next_year = two_year_program(provider)
    pupils = class_of(3, city, this_year, current, new)
    return new, this_year, next_year, pupils


def test_provider_proposes_a_group_with_everyone_checked(client, staff, school):
    new, this_year, next_year, pupils = school
    client.force_login(staff)

    index = client.get(reverse("financing:prolongation")).content.decode()
    assert this_year.name in index and reverse("financing:prolongation_group", args=[this_year.pk]) in index

    url = reverse("financing:prolongation_group", args=[this_year.pk])
    page = client.get(url)
    form = page.context["form"]
    assert form.initial["target"] == next_year
    assert sorted(form.initial["contracts"]) == sorted(c.pk for _p, c in pupils)
    assert "Предложить продление" in page.content.decode()

    keep = [c.pk for _p, c in pupils[:2]]
    response = client.post(url, {"target": next_year.pk, "contracts": keep})
    assert response.status_code == 302
    statuses = dict(ProlongationOffer.objects.values_list("source_id", "status"))
    assert statuses == {pupils[0][1].pk: ProlongationStatus.OFFERED, pupils[1][1].pk: ProlongationStatus.OFFERED,
                        pupils[2][1].pk: ProlongationStatus.LEFT_OUT}
    shown = client.get(url).content.decode()
    assert "Ждёт решения родителя" in shown and "Организация не предложила продление" in shown


def test_another_providers_group_is_not_found(client, other_staff, school):
    client.force_login(other_staff)
    assert client.get(reverse("financing:prolongation_group", args=[school[1].pk])).status_code == 404


def test_payer_runs_the_municipality_and_sets_the_rule(client, operator, city, school):
    new, *_rest = school
    client.force_login(operator)
    page = client.get(reverse("financing:prolongation")).content.decode()
    assert "Продлить договоры" in page and new.title in page

    response = client.post(reverse("financing:prolongation_run"), follow=True)
    assert "направлено оферт — 3" in response.content.decode()
    assert Contract.objects.filter(period=new).count() == 3

    client.post(reverse("financing:prolongation_settings"), {"auto_accept_days": "14"})
    assert settings_of(city).auto_accept_days == 14
    client.post(reverse("financing:prolongation_settings"), {"auto_accept_days": "0"})
    assert settings_of(city).auto_accept_days == 14  # refused, kept


def test_report_lists_offers_in_few_queries(client, operator, staff, school, django_assert_max_num_queries):
    from opora.financing import prolongation

    prolongation.propose_prolongation(staff, school[1])
    client.force_login(operator)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("financing:prolongation"))
    assert len(page.context["page"].object_list) == 3
    assert [n for code, _label, n in page.context["totals"] if code == "offered"] == [3]
    filtered = client.get(reverse("financing:prolongation"), {"status": "refused"})
    assert len(filtered.context["page"].object_list) == 0


@pytest.mark.parametrize("who", ["staff", "parent"])
def test_only_the_payer_runs_from_the_page(client, request, who, school):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("financing:prolongation_run"))
    assert Contract.objects.filter(period=school[0]).count() == 0
    assert response.status_code in (302, 403)


def test_parent_sees_the_offer_with_the_new_reserve(client, staff, school):
    from opora.financing import prolongation

    new, this_year, _next_year, pupils = school
    prolongation.propose_prolongation(staff, this_year)
    parent, source = pupils[0]
    contract = ProlongationOffer.objects.get(source=source).contract
    client.force_login(parent)

    page = client.get(reverse("financing:cabinet_contract", args=[contract.uuid])).content.decode()

    assert f"Продление на новый период «{new.title}»" in page
    assert rub("30000.00") in page and "Остаток сертификата в новом периоде" in page
    assert "Принять договор" in page


def test_parents_list_marks_the_prolongation(client, staff, school, django_assert_max_num_queries):
    from opora.financing import prolongation

    new, this_year, _next_year, pupils = school
    prolongation.propose_prolongation(staff, this_year)
    client.force_login(pupils[0][0])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("financing:cabinet_contracts")).content.decode()
    assert page.count(f"Продление на новый период «{new.title}»") == 1
