"""Social certificates (189-ФЗ, docs/domain.md §4): one per service, formed when the provider
confirms an application to a group paid for by social certificates, for a child whose
certificate is on the register; the contract reserves from the social certificate's own
ledger and the monthly settlement pays from it like from any other.

Dates as in ``test_contracts``: a group of September–December of next year ``Y``,
D = D_group = 122 days, price 36,000.00 ₽, normative cost 30,000.00 ₽."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from opora.audit.models import AuditEvent
from opora.enrollment import services
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import InvalidTransition
from opora.financing import certificates, contracts, periods, settlement
from opora.financing.models import (
    CertificateKind,
    CertificateLedger,
    CertificateStatus,
    Contract,
    ContractStatus,
    FinancingPeriod,
    Invoice,
    SocialCertificate,
)
from opora.registry.choices import FundingSource
from opora.registry.models import GroupFunding
from tests.financing.conftest import autumn_group, make_certificate, make_period, today_is

pytestmark = pytest.mark.django_db

Y = timezone.localdate().year + 1
SEP, OCT = dt.date(Y, 9, 1), dt.date(Y, 10, 1)
D = Decimal


def social_only(program, name="Соц. заказ"):
    return autumn_group(program, FundingSource.SOCIAL, name=name)


@pytest.fixture
def social_group(certified_program):
    return social_only(certified_program)


@pytest.fixture
def registered(child):
    """The child's certificate on the register: an accounting one, no ledger of its own."""
    return make_certificate(child, kind=CertificateKind.ACCOUNTING)


def apply_and_confirm(staff, parent, child, group):
    return services.confirm_application(staff, services.submit_application(parent, child, group)[0])


def money(period):
    period.refresh_from_db()
    return period.committed, list(CertificateLedger.objects.order_by("pk").values_list(
        "certificate_id", "social_certificate_id", "nominal", "reserved", "paid"))


# --- forming the social certificate ---------------------------------------------------


def test_confirmation_forms_a_social_certificate_and_reserves_its_nominal(
        staff, parent, child, registered, next_period, social_group):
    application = apply_and_confirm(staff, parent, child, social_group)

    assert application.status == S.AWAITING_CONTRACT
    social = SocialCertificate.objects.get(application=application)
    contract = Contract.objects.get(application=application)
    # nominal = min(total 36,000.00, normative 30,000.00): no personal balance limits it
    assert (social.number, social.certificate, social.period, social.nominal) == (
        f"{registered.number}-С1", registered, next_period, D("30000.00"))
    assert (contract.certificate_part, contract.parent_part, contract.status) == (
        D("30000.00"), D("6000.00"), ContractStatus.CONFIRMED)
    assert contract.ledger == social.ledger and contract.certificate == registered
    ledger = social.ledger
    assert (ledger.certificate_id, ledger.period, ledger.nominal, ledger.reserved, ledger.balance) == (
        None, next_period, D("30000.00"), D("30000.00"), D("0.00"))
    next_period.refresh_from_db()
    assert (next_period.committed, next_period.financing_places) == (D("30000.00"), 0)
    event = AuditEvent.objects.get(action="financing.contract.created")
    assert event.data["social_certificate"] == social.number


def test_a_financing_certificate_keeps_its_own_balance(staff, parent, child, next_period, social_group):
    funded = make_certificate(child, next_period, nominal=D("1000.00"))

    contract = apply_and_confirm(staff, parent, child, social_group).contract

    assert contract.certificate_part == D("30000.00")  # not capped by the 1,000.00 balance
    own = CertificateLedger.objects.get(certificate=funded, period=next_period)
    assert (own.nominal, own.reserved, own.paid) == (D("1000.00"), D("0.00"), D("0.00"))
    assert contract.ledger.social_certificate.certificate == funded


def test_one_social_certificate_per_service(staff, parent, child, registered, next_period, certified_program):
    first = apply_and_confirm(staff, parent, child, social_only(certified_program, "Первая"))
    second = apply_and_confirm(staff, parent, child, social_only(certified_program, "Вторая"))

    numbers = [first.social_certificate.number, second.social_certificate.number]
    assert numbers == [f"{registered.number}-С1", f"{registered.number}-С2"]
    assert (first.contract.number, second.contract.number) == (f"{registered.number}-1",
                                                               f"{registered.number}-2")
    next_period.refresh_from_db()
    assert next_period.committed == D("60000.00")


def test_a_price_below_the_normative_cost_is_the_nominal(staff, parent, child, registered, next_period,
                                                        certified_program):
    certification = certified_program.modules.get().certification
    certification.price = D("24000.00")
    certification.save()

    social = apply_and_confirm(staff, parent, child, social_only(certified_program)).social_certificate

    assert social.nominal == D("24000.00") and social.application.contract.parent_part == D("0.00")


# --- refusals ----------------------------------------------------------------------------


def _refused(staff, parent, child, group, period, message):
    application = services.submit_application(parent, child, group)[0]
    before = money(period)
    with pytest.raises(InvalidTransition, match=message):
        services.confirm_application(staff, application)
    application.refresh_from_db()
    assert application.status == S.NEW
    assert not SocialCertificate.objects.exists() and not Contract.objects.exists()
    assert money(period) == before


def test_no_certificate_on_the_register_is_refused(staff, parent, child, next_period, social_group):
    _refused(staff, parent, child, social_group, next_period, "нет сертификата")


@pytest.mark.parametrize("status, message", [(CertificateStatus.REQUESTED, "ещё не выдан"),
                                             (CertificateStatus.FROZEN, "заморожен")])
def test_a_certificate_not_in_force_is_refused(staff, parent, child, registered, next_period, social_group,
                                               status, message):
    registered.status = status
    registered.save()
    _refused(staff, parent, child, social_group, next_period, message)


def test_an_uncertified_module_is_refused(staff, parent, child, registered, next_period, social_group):
    social_group.module.certification.delete()
    _refused(staff, parent, child, social_group, next_period, "не сертифицирован")


def test_an_exhausted_budget_is_refused(staff, parent, child, registered, next_period, social_group):
    FinancingPeriod.objects.filter(pk=next_period.pk).update(budget=D("29999.99"))
    _refused(staff, parent, child, social_group, next_period, "исчерпан")


def test_no_period_holding_the_start_is_refused(staff, parent, child, registered, city, social_group):
    period = make_period(city, title="Прошлый", starts_on=dt.date(Y - 2, 1, 1), ends_on=dt.date(Y - 2, 12, 31))
    _refused(staff, parent, child, social_group, period, "нет действующего периода")


def test_a_group_with_social_and_other_sources_enrols_without_a_contract(
        staff, parent, child, registered, next_period, social_group):
    GroupFunding.objects.create(group=social_group, source=FundingSource.BUDGET)

    application = apply_and_confirm(staff, parent, child, social_group)

    assert application.status == S.ENROLLED
    assert not SocialCertificate.objects.exists()


# --- the parent's decision and the end of studies -------------------------------------


def test_declining_returns_the_reserve_to_the_budget(staff, parent, child, registered, next_period,
                                                    social_group):
    contract = apply_and_confirm(staff, parent, child, social_group).contract

    contracts.decline_contract(parent, contract, "Передумали")

    contract.refresh_from_db()
    ledger = contract.ledger
    assert contract.status == ContractStatus.REFUSED
    assert (ledger.nominal, ledger.reserved, ledger.balance) == (D("30000.00"), D("0.00"), D("30000.00"))
    next_period.refresh_from_db()
    assert next_period.committed == D("0.00")


def test_accepting_enrols_and_expulsion_releases_the_later_months(monkeypatch, staff, parent, child,
                                                                  registered, next_period, social_group):
    contract = apply_and_confirm(staff, parent, child, social_group).contract
    contracts.accept_contract(parent, contract)
    application = contract.application
    application.refresh_from_db()
    assert application.status == S.ENROLLED
    today_is(monkeypatch, dt.date(Y, 10, 20))

    services.expel(staff, application, "Переезд", on_date=dt.date(Y, 10, 15))

    contract.refresh_from_db()
    # September 7,377.06 and October 7,540.98 stay reserved; November and December return
    assert contract.status == ContractStatus.CLOSED
    assert contract.ledger.reserved == D("14918.04")
    next_period.refresh_from_db()
    assert next_period.committed == D("14918.04")


def test_freezing_rejects_the_pending_service_and_keeps_the_social_ledgers(
        operator, staff, parent, child, registered, next_period, social_group):
    application = apply_and_confirm(staff, parent, child, social_group)

    certificates.freeze_certificate(operator, registered, "Проверка документов")

    application.refresh_from_db()
    assert application.status == S.REJECTED
    ledger = application.social_certificate.ledger
    assert (ledger.nominal, ledger.reserved, ledger.frozen_nominal) == (D("30000.00"), D("0.00"), None)
    next_period.refresh_from_db()
    assert next_period.committed == D("0.00")


def test_a_nominal_change_and_the_fallback_leave_social_ledgers_alone(
        authority, staff, parent, child, next_period, social_group, city):
    funded = make_certificate(child, next_period)
    contract = apply_and_confirm(staff, parent, child, social_group).contract
    contracts.accept_contract(parent, contract)
    data = {name: getattr(next_period, name) for name in periods.PERIOD_FIELDS}
    data["nominal"] = D("35000.00")

    periods.save_period(authority, city, data, next_period)
    FinancingPeriod.objects.filter(pk=next_period.pk).update(fallback_on=timezone.localdate()
                                                             - dt.timedelta(days=1))
    freed = certificates.fallback_unused(today=timezone.localdate())

    # the personal certificate had no contract of its own: it falls back ...
    assert freed == 1
    assert not CertificateLedger.objects.filter(certificate=funded).exists()
    funded.refresh_from_db()
    assert funded.kind == CertificateKind.ACCOUNTING
    # ... while the service's money is untouched by the renomination and the fallback
    ledger = CertificateLedger.objects.get(pk=contract.ledger_id)
    assert (ledger.nominal, ledger.reserved) == (D("30000.00"), D("30000.00"))


# --- settlement ---------------------------------------------------------------------------


def test_settlement_pays_from_the_social_certificate(monkeypatch, operator, staff, parent, child, registered,
                                                     next_period, social_group):
    contract = apply_and_confirm(staff, parent, child, social_group).contract
    contracts.accept_contract(parent, contract)
    monkeypatch.setattr(settlement, "local_today", lambda: dt.date(Y, 10, 5))

    settlement.open_month(operator, next_period.municipality, SEP)
    settlement.close_month(operator, next_period.municipality, SEP)
    final = Invoice.objects.get(kind="final")
    line = final.lines.get()
    assert (line.certificate_number, line.month_amount) == (registered.number, D("7377.06"))
    ledger = CertificateLedger.objects.get(pk=contract.ledger_id)
    assert (ledger.reserved, ledger.paid) == (D("22622.94"), D("7377.06"))

    settlement.set_completeness(staff, line, "50")

    # ⌊7,377.06 / 2⌋ = 3,688.53 paid; 3,688.53 back to the social certificate and the budget
    ledger.refresh_from_db()
    assert (ledger.reserved, ledger.paid, ledger.balance) == (D("22622.94"), D("3688.53"), D("3688.53"))
    next_period.refresh_from_db()
    assert next_period.committed == D("26311.47")
    final.refresh_from_db()
    assert (final.amount, final.advance) == (D("3688.53"), D("5901.64"))
    before = money(next_period)
    assert settlement.close_month(operator, next_period.municipality, SEP).changed == 0
    assert money(next_period) == before


# --- pages ----------------------------------------------------------------------------------


def test_pages_show_the_social_certificate(client, operator, staff, parent, child, registered, next_period,
                                           social_group):
    contract = apply_and_confirm(staff, parent, child, social_group).contract
    number = f"{registered.number}-С1"

    client.force_login(parent)
    cabinet = client.get(reverse("financing:cabinet_certificate")).content.decode()
    offer = client.get(reverse("financing:cabinet_contract", args=[contract.uuid])).content.decode()
    client.force_login(operator)
    card = client.get(reverse("financing:certificate", args=[registered.pk])).content.decode()
    office = client.get(reverse("financing:office_contract", args=[contract.uuid])).content.decode()

    assert f"социальный сертификат № {number}" in cabinet and f"социальный сертификат № {number}" in card
    for page in (offer, office):
        assert "Социальный сертификат" in page and f"№&nbsp;{number}, номинал 30" in page
