"""Pages of contracts: the parent's list and contract with «Принять договор» and
«Отказаться», the back office's list with filters and the contract with its history,
and the printable contract; each refused outside its reader's scope."""

from decimal import Decimal

import pytest
from django.db import connection
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from opora.audit.labels import label_for
from opora.enrollment import services
from opora.enrollment.models import ApplicationStatus as S
from opora.financing.models import CertificateLedger, Contract, ContractStatus
from tests import factories as f
from tests.enrollment.conftest import add_child
from tests.financing.conftest import autumn_group, make_certificate

pytestmark = pytest.mark.django_db

Y = timezone.localdate().year + 1
D = Decimal


def rub(amount: str) -> str:
    """An amount as the Russian pages show it: 36 000,00."""
    with translation.override("ru"):
        return floatformat(D(amount), "2g")


def certificate_only(program, **kw):
    return autumn_group(program, capacity_max=40, **kw)


@pytest.fixture
def autumn(certified_program):
    return certificate_only(certified_program, name="Осень")


def contract_of(staff, parent, child, group, period):
    make_certificate(child, period)
    application = services.submit_application(parent, child, group)[0]
    return services.confirm_application(staff, application).contract


@pytest.fixture
def offer(staff, parent, child, autumn, next_period):
    return contract_of(staff, parent, child, autumn, next_period)


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client
    return login


# --- the parent's cabinet ------------------------------------------------------------


def test_parent_sees_the_offer_in_the_list(as_user, parent, offer):
    response = as_user(parent).get(reverse("financing:cabinet_contracts"))

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Договор № {offer.number}" in page
    assert "ждёт вашего решения" in page
    assert reverse("financing:cabinet_contract", args=[offer.uuid]) in page


def test_contract_page_shows_amounts_schedule_and_both_buttons(as_user, parent, offer):
    response = as_user(parent).get(reverse("financing:cabinet_contract", args=[offer.uuid]))

    page = response.content.decode()
    assert response.status_code == 200
    for text in (*map(rub, ("36000.00", "30000.00", "6000.00", "7377.06", "1475.43", "7540.98", "1508.19")),
                 "Принять договор", "Отказаться", 'name="csrfmiddlewaretoken"',
                 reverse("financing:contract_accept", args=[offer.uuid]),
                 reverse("financing:contract_decline", args=[offer.uuid])):
        assert text in page, text


def test_parent_accepts_by_the_button(as_user, parent, offer):
    client = as_user(parent)
    response = client.post(reverse("financing:contract_accept", args=[offer.uuid]), follow=True)

    offer.refresh_from_db()
    offer.application.refresh_from_db()
    assert (offer.status, offer.application.status) == (ContractStatus.ACTIVE, S.ENROLLED)
    page = response.content.decode()
    assert f"Договор № {offer.number} принят: ребёнок зачислен в группу." in page
    assert "Принять договор" not in page


def test_parent_declines_with_a_reason(as_user, parent, offer, next_period):
    response = as_user(parent).post(reverse("financing:contract_decline", args=[offer.uuid]),
                                    {"reason": "Не подходит время"}, follow=True)

    offer.refresh_from_db()
    assert offer.status == ContractStatus.REFUSED
    assert offer.reason == f"Отказ от договора № {offer.number}: Не подходит время"
    next_period.refresh_from_db()
    assert next_period.committed == D("0.00")
    assert "Вы отказались от договора" in response.content.decode()


def test_decline_with_too_long_a_reason_is_refused(as_user, parent, offer):
    response = as_user(parent).post(reverse("financing:contract_decline", args=[offer.uuid]),
                                    {"reason": "я" * 501}, follow=True)

    assert "Причина отказа не длиннее 500 символов." in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == ContractStatus.CONFIRMED


def test_second_accept_shows_the_refusal(as_user, parent, offer):
    client = as_user(parent)
    client.post(reverse("financing:contract_accept", args=[offer.uuid]))
    response = client.post(reverse("financing:contract_accept", args=[offer.uuid]), follow=True)
    assert "Договор в статусе «Действует» принять нельзя." in response.content.decode()


def test_buttons_need_post(as_user, parent, offer):
    client = as_user(parent)
    assert client.get(reverse("financing:contract_accept", args=[offer.uuid])).status_code == 405
    assert client.get(reverse("financing:contract_decline", args=[offer.uuid])).status_code == 405


def test_parent_of_another_family_gets_not_found(as_user, city, offer):
    stranger = f.user(municipality=city)
    client = as_user(stranger)
    for name in ("financing:cabinet_contract", "financing:contract_print"):
        assert client.get(reverse(name, args=[offer.uuid])).status_code == 404
    for name in ("financing:contract_accept", "financing:contract_decline"):
        assert client.post(reverse(name, args=[offer.uuid])).status_code == 404
    offer.refresh_from_db()
    assert offer.status == ContractStatus.CONFIRMED
    assert as_user(stranger).get(reverse("financing:cabinet_contracts")).context["page"].paginator.count == 0


def test_staff_cannot_open_the_cabinet_pages(as_user, staff, offer):
    client = as_user(staff)
    assert client.get(reverse("financing:cabinet_contracts")).status_code == 403
    assert client.post(reverse("financing:contract_accept", args=[offer.uuid])).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(client, offer):
    for url in (reverse("financing:cabinet_contracts"), reverse("financing:office_contracts"),
                reverse("financing:contract_print", args=[offer.uuid])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_cabinet_list_runs_the_same_queries_for_2_and_12_contracts(as_user, staff, parent, certified_program,
                                                                  next_period, settings):
    settings.OPORA_PAGE_SIZE = 50
    client = as_user(parent)
    counts = []
    for size in (2, 10):
        for n in range(size):
            kid = add_child(parent, first_name=f"Ребёнок{len(counts)}-{n}")
            contract_of(staff, parent, kid, certificate_only(certified_program), next_period)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("financing:cabinet_contracts"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- the back office -----------------------------------------------------------------


@pytest.fixture
def several(staff, parent, certified_program, next_period, offer):
    """The offer plus an active contract in a second group."""
    second = certificate_only(certified_program, name="Зима")
    kid = add_child(parent, first_name="Второй")
    active = contract_of(staff, parent, kid, second, next_period)
    from opora.financing import contracts

    contracts.accept_contract(parent, active)
    active.refresh_from_db()
    return offer, active, second


def _numbers(response):
    return [c.number for c in response.context["page"].object_list]


def test_staff_list_filters_by_status_group_and_number(as_user, staff, several):
    offer, active, second = several
    client = as_user(staff)
    url = reverse("financing:office_contracts")

    assert sorted(_numbers(client.get(url))) == sorted([offer.number, active.number])
    assert _numbers(client.get(url, {"status": "active"})) == [active.number]
    assert _numbers(client.get(url, {"group": second.pk})) == [active.number]
    assert _numbers(client.get(url, {"q": offer.number})) == [offer.number]
    assert _numbers(client.get(url, {"q": "nothing"})) == []
    page = client.get(url).content.decode()
    assert "Договоры по сертификатам" in page and "Найдено договоров: 2." in page


def test_bad_filter_input_shows_the_error_and_the_whole_list(as_user, staff, several):
    response = as_user(staff).get(reverse("financing:office_contracts"), {"status": "nonsense"})

    assert response.status_code == 200
    assert response.context["form"].errors["status"]
    assert len(_numbers(response)) == 2


@pytest.mark.parametrize("who", ["operator", "authority", "regional"])
def test_municipality_and_region_see_the_contracts(as_user, request, several, who):
    offer, active, _second = several
    client = as_user(request.getfixturevalue(who))

    response = client.get(reverse("financing:office_contracts"))
    assert sorted(_numbers(response)) == sorted([offer.number, active.number])
    assert "organization" in response.context["form"].fields
    organization = offer.organization
    assert sorted(_numbers(client.get(reverse("financing:office_contracts"),
                                      {"organization": organization.pk}))) == sorted(
        [offer.number, active.number])
    detail = client.get(reverse("financing:office_contract", args=[offer.uuid]))
    assert detail.status_code == 200
    assert "История" in detail.content.decode()


@pytest.mark.parametrize("who", ["other_staff", "other_operator"])
def test_other_territories_see_nothing(as_user, request, offer, who):
    client = as_user(request.getfixturevalue(who))
    assert _numbers(client.get(reverse("financing:office_contracts"))) == []
    assert client.get(reverse("financing:office_contract", args=[offer.uuid])).status_code == 404
    assert client.get(reverse("financing:contract_print", args=[offer.uuid])).status_code == 404


def test_parent_cannot_open_the_back_office(as_user, parent, offer):
    client = as_user(parent)
    assert client.get(reverse("financing:office_contracts")).status_code == 403
    assert client.get(reverse("financing:office_contract", args=[offer.uuid])).status_code == 403


def test_staff_contract_page_shows_history_and_links_the_application(as_user, staff, offer):
    page = as_user(staff).get(reverse("financing:office_contract", args=[offer.uuid])).content.decode()
    assert reverse("enrollment:office_application", args=[offer.application.pk]) in page
    assert str(label_for("financing.contract.created")) in page  # the history
    assert reverse("financing:contract_print", args=[offer.uuid]) in page


def test_office_list_runs_the_same_queries_for_2_and_12_contracts(as_user, staff, parent, certified_program,
                                                                 next_period, settings):
    settings.OPORA_PAGE_SIZE = 50
    client = as_user(staff)
    counts = []
    for size in (2, 10):
        for n in range(size):
            kid = add_child(parent, first_name=f"Ребёнок{len(counts)}-{n}")
            contract_of(staff, parent, kid, certificate_only(certified_program), next_period)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("financing:office_contracts"))
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- the printable contract ----------------------------------------------------------


def test_printable_contract_has_everything(as_user, parent, staff, offer, provider, child, next_period):
    from opora.financing import contracts

    contracts.accept_contract(parent, offer)
    for user in (parent, staff):
        response = as_user(user).get(reverse("financing:contract_print", args=[offer.uuid]))
        assert response.status_code == 200
        page = response.content.decode()
        assert "@media print" in page and 'extends' not in page
        for text in (f"Договор об образовании № {offer.number}", offer.signed_on.strftime("%d.%m.%Y"),
                     provider.full_name, provider.inn, parent.full_name, child.full_name,
                     child.birth_date.strftime("%d.%m.%Y"), next_period.municipality.name,
                     offer.certificate.number, offer.module.program.title, offer.module.title,
                     offer.group.name, f"01.09.{Y}", f"31.12.{Y}", "График платежей",
                     *map(rub, ("36000.00", "30000.00", "6000.00", "7377.06", "1475.43", "7540.98",
                                "1508.19"))):
            assert text in page, text


def test_printable_contract_of_a_closed_contract_marks_cancelled_months(as_user, staff, offer, parent):
    from opora.financing import contracts

    contracts.accept_contract(parent, offer)
    services.expel(staff, offer.application, "Переезд")
    page = as_user(staff).get(reverse("financing:contract_print", args=[offer.uuid])).content.decode()
    assert page.count('class="cancelled"') == 4
    assert "снят при расторжении" in page
    assert Contract.objects.get(pk=offer.pk).status == ContractStatus.CLOSED
    assert CertificateLedger.objects.get(certificate=offer.certificate).reserved == D("0.00")
