"""Contracts follow their applications: made and reserved when the provider confirms an
application to a certificate-only group, accepted or declined by the parent, refused
or closed with the application; amounts to the kopeck (docs/domain.md §4).

Dates: ``Y`` is next year, so a group of September–December of ``Y`` has not started
yet and the contract runs the whole group period. September–December has no
February, so every day count below is the same whatever ``Y`` is: D = 30 + 31 + 30 +
31 = 122 days, M = 4 months, d1 = 30 days in September."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from opora.audit.models import AuditEvent
from opora.enrollment import services
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import InvalidTransition, NotFound, ValidationFailed
from opora.financing import contracts
from opora.financing.models import (
    CertificateKind,
    CertificateLedger,
    CertificateStatus,
    CertificationStatus,
    Contract,
    ContractMonth,
    ContractStatus,
    FinancingPeriod,
    ModuleCertification,
)
from opora.registry.choices import ProgramStatus
from tests import factories as f
from tests.enrollment.conftest import add_child, open_group
from tests.financing.conftest import certificate_only, make_certificate, make_period, settle_early, today_is

pytestmark = pytest.mark.django_db

Y = timezone.localdate().year + 1
SEP, OCT, NOV, DEC = (dt.date(Y, m, 1) for m in (9, 10, 11, 12))
D = Decimal


@pytest.fixture
def autumn(certified_program):
    """Certificate-only, 1 September – 31 December of next year (122 days)."""
    return certificate_only(certified_program, dt.date(Y, 9, 1), dt.date(Y, 12, 31), name="Осень")


@pytest.fixture
def funded(child, next_period):
    """The child's financing certificate with 30,000.00 ₽ in the next period."""
    return make_certificate(child, next_period)


@pytest.fixture
def other_parent(district):
    return f.user(municipality=district, email="other.parent@example.org")


def apply_and_confirm(staff, parent, child, group):
    application = services.submit_application(parent, child, group)[0]
    return services.confirm_application(staff, application)


def ledger_of(certificate, period):
    return CertificateLedger.objects.get(certificate=certificate, period=period)


def months_of(contract):
    return [(m.month, m.certificate_amount, m.parent_amount, m.cancelled)
            for m in contract.months.order_by("month")]


def money_state(period):
    period.refresh_from_db()
    return (period.committed, list(CertificateLedger.objects.filter(period=period)
                                   .order_by("pk").values_list("reserved", "paid")))


# --- the contract on confirmation ----------------------------------------------------


def test_confirmation_makes_a_confirmed_contract_and_reserves_the_certificate_part(
        staff, parent, child, funded, next_period, autumn):
    application = apply_and_confirm(staff, parent, child, autumn)

    assert application.status == S.AWAITING_CONTRACT
    contract = Contract.objects.get(application=application)
    # D = D_group = 122: total = 36,000.00; normative = 30,000.00;
    # certificate = min(36,000.00, 30,000.00, balance 30,000.00) = 30,000.00; parent 6,000.00.
    assert (contract.total, contract.normative, contract.certificate_part, contract.parent_part) == (
        D("36000.00"), D("30000.00"), D("30000.00"), D("6000.00"))
    assert contract.status == ContractStatus.CONFIRMED
    assert (contract.starts_on, contract.ends_on) == (dt.date(Y, 9, 1), dt.date(Y, 12, 31))
    assert contract.signed_on == timezone.localdate()
    assert contract.number == f"{funded.number}-1"
    assert (contract.period, contract.certificate, contract.organization, contract.group) == (
        next_period, funded, autumn.module.program.organization, autumn)
    # later months: ⌊92/122 × 30,000.00 / 3⌋ = ⌊7540.983…⌋ = 7,540.98; September takes the
    # rest 30,000.00 − 3 × 7,540.98 = 7,377.06. Parent: ⌊92/122 × 6,000.00 / 3⌋ = 1,508.19,
    # September 6,000.00 − 4,524.57 = 1,475.43.
    assert months_of(contract) == [
        (SEP, D("7377.06"), D("1475.43"), False),
        (OCT, D("7540.98"), D("1508.19"), False),
        (NOV, D("7540.98"), D("1508.19"), False),
        (DEC, D("7540.98"), D("1508.19"), False)]
    ledger = ledger_of(funded, next_period)
    assert (ledger.reserved, ledger.paid, ledger.balance) == (D("30000.00"), D("0.00"), D("0.00"))
    next_period.refresh_from_db()
    assert next_period.committed == D("30000.00")
    event = AuditEvent.objects.get(action="financing.contract.created")
    assert (event.actor, event.target_id, event.to_state) == (staff, str(contract.pk), "confirmed")
    assert event.data["certificate_part"] == "30000.00"


def test_a_group_price_waiting_for_the_moc_does_not_reach_the_contract(
        staff, parent, child, funded, next_period, autumn):
    """A contract is priced by the module's certified price, which the МОЦ certified; a
    group's new price waiting for the МОЦ's approval changes neither it nor the group's
    published price."""
    from tests.registry.prices import line, save_prices

    published = [line("certificate", "9000", "36000")]
    save_prices(staff, autumn, published, enrolment_open=False)
    save_prices(staff, autumn, [line("certificate", "9999", "89991")], enrolment_open=False)
    save_prices(staff, autumn, [line("certificate", "9999", "89991")], enrolment_open=True)

    application = apply_and_confirm(staff, parent, child, autumn)

    contract = Contract.objects.get(application=application)
    assert (contract.total, contract.certificate_part, contract.parent_part) == (
        D("36000.00"), D("30000.00"), D("6000.00"))
    assert list(autumn.funding.values_list("monthly_price", "total_price")) == [
        (D("9000.00"), D("36000.00"))]
    assert list(autumn.proposed_funding.values_list("monthly_price", flat=True)) == [D("9999.00")]


def test_contract_ends_with_the_period_holding_its_start(staff, parent, child, certified_program, city):
    # the group runs to 31 January Y+1, the period ends 31 December Y: D = 122 of D_group = 153.
    period = make_period(city, title=f"ПФДО {Y}", starts_on=dt.date(Y, 1, 1), ends_on=dt.date(Y, 12, 31))
    certificate = make_certificate(child, period)
    group = certificate_only(certified_program, dt.date(Y, 9, 1), dt.date(Y + 1, 1, 31))

    contract = apply_and_confirm(staff, parent, child, group).contract

    # total = ⌊122/153 × 36,000⌋ = ⌊28,705.882…⌋ = 28,705.88;
    # normative = ⌊122/153 × 30,000⌋ = ⌊23,921.568…⌋ = 23,921.56 = the certificate part;
    # parent = 28,705.88 − 23,921.56 = 4,784.32.
    assert contract.ends_on == dt.date(Y, 12, 31)
    assert (contract.total, contract.normative, contract.certificate_part, contract.parent_part) == (
        D("28705.88"), D("23921.56"), D("23921.56"), D("4784.32"))
    # ⌊92 × 23,921.56 / 366⌋ = ⌊6,013.069…⌋ = 6,013.06, September 23,921.56 − 18,039.18;
    # ⌊92 × 4,784.32 / 366⌋ = ⌊1,202.615…⌋ = 1,202.61, September 4,784.32 − 3,607.83.
    assert months_of(contract) == [
        (SEP, D("5882.38"), D("1176.49"), False),
        (OCT, D("6013.06"), D("1202.61"), False),
        (NOV, D("6013.06"), D("1202.61"), False),
        (DEC, D("6013.06"), D("1202.61"), False)]
    assert ledger_of(certificate, period).reserved == D("23921.56")


def test_balance_below_the_normative_pays_only_the_balance(staff, parent, child, funded, next_period,
                                                           autumn):
    CertificateLedger.objects.filter(certificate=funded).update(committed=D("20000.00"))  # balance 10,000

    contract = apply_and_confirm(staff, parent, child, autumn).contract

    # certificate = min(36,000.00, 30,000.00, 10,000.00) = 10,000.00; parent 26,000.00;
    # ⌊92 × 10,000 / 366⌋ = 2,513.66, September 10,000 − 7,540.98 = 2,459.02;
    # ⌊92 × 26,000 / 366⌋ = 6,535.51, September 26,000 − 19,606.53 = 6,393.47.
    assert (contract.certificate_part, contract.parent_part) == (D("10000.00"), D("26000.00"))
    assert months_of(contract) == [
        (SEP, D("2459.02"), D("6393.47"), False),
        (OCT, D("2513.66"), D("6535.51"), False),
        (NOV, D("2513.66"), D("6535.51"), False),
        (DEC, D("2513.66"), D("6535.51"), False)]
    ledger = ledger_of(funded, next_period)
    assert (ledger.committed, ledger.balance) == (D("30000.00"), D("0.00"))
    next_period.refresh_from_db()
    assert next_period.committed == D("10000.00")


@pytest.mark.parametrize("kind", ["spent financing", "accounting"])
def test_no_balance_means_the_parent_pays_everything(staff, parent, child, next_period, autumn, kind):
    if kind == "accounting":
        certificate = make_certificate(child, next_period, kind=CertificateKind.ACCOUNTING)
    else:
        certificate = make_certificate(child, next_period)
        CertificateLedger.objects.filter(certificate=certificate).update(committed=D("30000.00"))

    contract = apply_and_confirm(staff, parent, child, autumn).contract

    # certificate = min(36,000.00, 30,000.00, 0) = 0; parent 36,000.00 split
    # ⌊92 × 36,000 / 366⌋ = 9,049.18, September 36,000 − 27,147.54 = 8,852.46.
    assert (contract.certificate_part, contract.parent_part) == (D("0.00"), D("36000.00"))
    assert months_of(contract) == [
        (SEP, D("0.00"), D("8852.46"), False),
        (OCT, D("0.00"), D("9049.18"), False),
        (NOV, D("0.00"), D("9049.18"), False),
        (DEC, D("0.00"), D("9049.18"), False)]
    assert contract.number == f"{certificate.number}-1"
    next_period.refresh_from_db()
    assert next_period.committed == D("0.00")


def test_a_started_group_contracts_from_today(staff, parent, child, certificate, period, certified_program):
    today = timezone.localdate()
    # 111 days of group, 101 of them from today: total = ⌊101/111 × 36,000⌋ = ⌊32,756.756…⌋;
    # normative = ⌊101/111 × 30,000⌋ = ⌊27,297.297…⌋ = the certificate part.
    group = certificate_only(certified_program, today - dt.timedelta(days=10), today + dt.timedelta(days=100))

    contract = apply_and_confirm(staff, parent, child, group).contract

    assert (contract.starts_on, contract.ends_on) == (today, today + dt.timedelta(days=100))
    assert (contract.total, contract.normative, contract.certificate_part, contract.parent_part) == (
        D("32756.75"), D("27297.29"), D("27297.29"), D("5459.46"))
    months = list(contract.months.order_by("month"))
    assert months[0].month == today.replace(day=1)
    assert sum(m.certificate_amount for m in months) == D("27297.29")
    assert sum(m.parent_amount for m in months) == D("5459.46")


def test_numbers_count_the_certificates_contracts(staff, parent, child, funded, certified_program,
                                                  next_period):
    groups = [certificate_only(certified_program, dt.date(Y, 9, 1), dt.date(Y, 12, 31)) for _ in range(3)]
    CertificateLedger.objects.filter(certificate=funded).update(nominal=D("25000.00"))

    made = [apply_and_confirm(staff, parent, child, g).contract for g in groups]

    assert [c.number for c in made] == [f"{funded.number}-1", f"{funded.number}-2", f"{funded.number}-3"]
    # 25,000 of balance: the first takes its normative 30,000 capped at 25,000, then nothing is left
    assert [c.certificate_part for c in made] == [D("25000.00"), D("0.00"), D("0.00")]
    assert ledger_of(funded, next_period).balance == D("0.00")


# --- refusals: the confirmation rolls back and nothing changes -----------------------


def _refused(staff, parent, child, group, period):
    application = services.submit_application(parent, child, group)[0]
    before = money_state(period) if period else None
    with pytest.raises(InvalidTransition) as error:
        services.confirm_application(staff, application)
    application.refresh_from_db()
    assert application.status == S.NEW
    assert Contract.objects.count() == 0 and ContractMonth.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="financing.contract").exists()
    assert not AuditEvent.objects.filter(action="enrollment.application.confirmed").exists()
    if period:
        assert money_state(period) == before
    return error.value.message


def test_child_without_a_certificate_is_refused(staff, parent, child, next_period, autumn):
    message = _refused(staff, parent, child, autumn, next_period)
    assert message == ("У ребёнка нет сертификата дополнительного образования, а группа оплачивается "
                       "только сертификатом: договор заключить нельзя.")


def test_frozen_certificate_is_refused(staff, parent, child, funded, next_period, autumn):
    type(funded).objects.filter(pk=funded.pk).update(status=CertificateStatus.FROZEN)
    message = _refused(staff, parent, child, autumn, next_period)
    assert message == f"Сертификат ребёнка № {funded.number} заморожен: договор заключить нельзя."


def test_requested_certificate_is_refused(staff, parent, child, next_period, autumn):
    certificate = make_certificate(child, next_period)
    type(certificate).objects.filter(pk=certificate.pk).update(status=CertificateStatus.REQUESTED,
                                                               number=None)
    assert _refused(staff, parent, child, autumn, next_period) == (
        "Сертификат ребёнка ещё не выдан: договор заключить нельзя.")


def test_no_period_holding_the_start_is_refused(staff, parent, child, period, certified_program):
    make_certificate(child, period)
    far = certificate_only(certified_program, dt.date(Y + 2, 9, 1), dt.date(Y + 2, 12, 31))
    message = _refused(staff, parent, child, far, period)
    assert message == (f"В муниципалитете сертификата нет действующего периода финансирования на дату "
                       f"начала обучения 01.09.{Y + 2}: договор заключить нельзя.")


def test_uncertified_module_is_refused(staff, parent, child, funded, next_period, autumn):
    ModuleCertification.objects.filter(module=autumn.module).update(status=CertificationStatus.AWAITING)
    message = _refused(staff, parent, child, autumn, next_period)
    assert message == (f"Модуль «{autumn.module.title}» не сертифицирован: обучение по сертификату в "
                       "этой группе пока невозможно.")


def test_exhausted_budget_is_refused(staff, parent, child, funded, next_period, autumn):
    FinancingPeriod.objects.filter(pk=next_period.pk).update(committed=D("980000.00"))  # 20,000 left
    message = _refused(staff, parent, child, autumn, next_period)
    assert message.startswith(f"Бюджет периода финансирования «ПФДО {Y}» исчерпан")


def test_budget_fitting_exactly_is_accepted(staff, parent, child, funded, next_period, autumn):
    FinancingPeriod.objects.filter(pk=next_period.pk).update(committed=D("970000.00"))  # 30,000 left

    apply_and_confirm(staff, parent, child, autumn)

    next_period.refresh_from_db()
    assert next_period.committed == next_period.budget == D("1000000.00")


def test_bulk_confirmation_is_all_or_nothing_when_one_contract_is_refused(
        staff, city, next_period, autumn):
    p1, p2 = f.user(municipality=city), f.user(municipality=city)
    c1, c2 = add_child(p1, first_name="Первый"), add_child(p2, first_name="Второй")
    make_certificate(c1, next_period)  # the second child has none
    a1 = services.submit_application(p1, c1, autumn)[0]
    a2 = services.submit_application(p2, c2, autumn)[0]

    with pytest.raises(InvalidTransition) as error:
        services.process_applications(staff, [a1.pk, a2.pk], "confirm")

    assert error.value.message.startswith(f"Заявка № {a2.pk}: У ребёнка нет сертификата")
    assert Contract.objects.count() == 0
    next_period.refresh_from_db()
    assert next_period.committed == D("0.00")
    assert set(type(a1).objects.values_list("status", flat=True)) == {S.NEW}


# --- the parent's decision -----------------------------------------------------------


@pytest.fixture
def offer(staff, parent, child, funded, autumn):
    return apply_and_confirm(staff, parent, child, autumn).contract


def test_parent_accepts_and_the_child_is_enrolled(parent, offer):
    accepted = contracts.accept_contract(parent, offer)

    assert accepted.status == ContractStatus.ACTIVE and accepted.accepted_at is not None
    offer.application.refresh_from_db()
    assert offer.application.status == S.ENROLLED
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "actor", "from_state",
                                                                  "to_state"))[-2:]
    assert actions == [
        ("financing.contract.accepted", parent.pk, "confirmed", "active"),
        ("enrollment.application.contract_accepted", parent.pk, "awaiting_contract", "enrolled")]
    assert contracts.accepted_by(accepted) == parent


def test_accepting_twice_is_refused(parent, offer):
    contracts.accept_contract(parent, offer)
    with pytest.raises(InvalidTransition) as error:
        contracts.accept_contract(parent, offer)
    assert error.value.message == "Договор в статусе «Действует» принять нельзя."


def test_enrolment_without_acceptance_is_refused(parent, offer):
    with pytest.raises(InvalidTransition) as error:
        services.enrol_under_contract(parent, offer.application)
    assert error.value.message == ("Зачислить ребёнка можно только после того, как родитель примет "
                                   "договор.")
    offer.application.refresh_from_db()
    assert offer.application.status == S.AWAITING_CONTRACT


def test_parent_declines_and_the_reserve_returns(parent, offer, funded, next_period):
    declined = contracts.decline_contract(parent, offer, "  Переезжаем  ")

    assert declined.status == ContractStatus.REFUSED
    assert declined.reason == f"Отказ от договора № {offer.number}: Переезжаем"
    offer.application.refresh_from_db()
    assert offer.application.status == S.WITHDRAWN
    assert offer.application.reason == f"Отказ от договора № {offer.number}: Переезжаем"
    assert ledger_of(funded, next_period).reserved == D("0.00")
    next_period.refresh_from_db()
    assert next_period.committed == D("0.00")
    assert set(offer.months.values_list("cancelled", flat=True)) == {True}
    event = AuditEvent.objects.get(action="financing.contract.declined")
    assert (event.actor, event.from_state, event.to_state, event.data["released"]) == (
        parent, "confirmed", "refused", "30000.00")


def test_decline_with_too_long_a_reason_changes_nothing(parent, offer, next_period):
    with pytest.raises(ValidationFailed) as error:
        contracts.decline_contract(parent, offer, "я" * 501)
    assert error.value.errors == {"reason": ["Причина не длиннее 500 символов."]}
    offer.refresh_from_db()
    assert offer.status == ContractStatus.CONFIRMED
    next_period.refresh_from_db()
    assert next_period.committed == D("30000.00")


def test_declining_an_accepted_contract_is_refused(parent, offer):
    contracts.accept_contract(parent, offer)
    with pytest.raises(InvalidTransition) as error:
        contracts.decline_contract(parent, offer)
    assert error.value.message == "Договор в статусе «Действует» отклонить нельзя."


def test_provider_rejecting_the_awaiting_application_refuses_the_contract(staff, offer, funded,
                                                                          next_period):
    services.reject_application(staff, offer.application, "Группа расформирована")

    offer.refresh_from_db()
    assert (offer.status, offer.reason) == (ContractStatus.REFUSED, "Группа расформирована")
    assert ledger_of(funded, next_period).reserved == D("0.00")
    next_period.refresh_from_db()
    assert next_period.committed == D("0.00")
    assert AuditEvent.objects.filter(action="financing.contract.refused", actor=staff).exists()


@pytest.mark.parametrize("who", ["other_parent", "staff", "operator"])
def test_only_the_childs_guardian_decides(request, offer, who, next_period):
    actor = request.getfixturevalue(who)
    for decide in (contracts.accept_contract, contracts.decline_contract):
        with pytest.raises(NotFound):
            decide(actor, offer)
    offer.refresh_from_db()
    offer.application.refresh_from_db()
    assert (offer.status, offer.application.status) == (ContractStatus.CONFIRMED, S.AWAITING_CONTRACT)
    next_period.refresh_from_db()
    assert next_period.committed == D("30000.00")


# --- expulsion, withdrawal, completion -----------------------------------------------


@pytest.fixture
def studying(parent, offer):
    contracts.accept_contract(parent, offer)
    offer.refresh_from_db()
    return offer


def test_expulsion_cancels_the_later_months_and_returns_their_reserve(
        monkeypatch, staff, studying, funded, next_period):
    today_is(monkeypatch, dt.date(Y, 10, 20))

    services.expel(staff, studying.application, "Переезд", on_date=dt.date(Y, 10, 15))

    studying.refresh_from_db()
    assert (studying.status, studying.terminated_on, studying.reason) == (
        ContractStatus.CLOSED, dt.date(Y, 10, 15), "Переезд")
    # October holds the date and stays; November and December go: 2 × 7,540.98 = 15,081.96.
    assert months_of(studying) == [
        (SEP, D("7377.06"), D("1475.43"), False),
        (OCT, D("7540.98"), D("1508.19"), False),
        (NOV, D("7540.98"), D("1508.19"), True),
        (DEC, D("7540.98"), D("1508.19"), True)]
    ledger = ledger_of(funded, next_period)
    assert (ledger.reserved, ledger.balance) == (D("14918.04"), D("15081.96"))
    next_period.refresh_from_db()
    assert next_period.committed == D("14918.04")
    event = AuditEvent.objects.get(action="financing.contract.closed")
    assert (event.actor, event.from_state, event.to_state, event.data["released"],
            event.data["terminated_on"]) == (staff, "active", "closed", "15081.96", f"{Y}-10-15")


def test_settled_months_are_never_touched(monkeypatch, staff, studying, funded, next_period):
    # November was settled early: its line on a final invoice makes its 7,540.98 paid
    settle_early(studying, NOV)
    assert (ledger_of(funded, next_period).reserved, ledger_of(funded, next_period).paid) == (
        D("22459.02"), D("7540.98"))
    today_is(monkeypatch, dt.date(Y, 10, 20))

    services.expel(staff, studying.application, "Переезд", on_date=dt.date(Y, 10, 15))

    assert list(studying.months.order_by("month").values_list("settled", "cancelled")) == [
        (False, False), (False, False), (True, False), (False, True)]
    ledger = ledger_of(funded, next_period)
    assert (ledger.reserved, ledger.paid) == (D("14918.04"), D("7540.98"))


def test_expulsion_before_the_start_cancels_every_month(staff, studying, funded, next_period):
    services.expel(staff, studying.application, "Не приступил")  # today, before September Y

    studying.refresh_from_db()
    assert studying.terminated_on == timezone.localdate()
    assert set(studying.months.values_list("cancelled", flat=True)) == {True}
    assert ledger_of(funded, next_period).reserved == D("0.00")
    next_period.refresh_from_db()
    assert next_period.committed == D("0.00")


def test_completion_at_the_end_keeps_every_month(monkeypatch, staff, studying, funded, next_period):
    today_is(monkeypatch, dt.date(Y + 1, 1, 10))

    services.complete(staff, studying.application, on_date=dt.date(Y, 12, 31))

    studying.refresh_from_db()
    assert (studying.status, studying.terminated_on) == (ContractStatus.CLOSED, dt.date(Y, 12, 31))
    assert set(studying.months.values_list("cancelled", flat=True)) == {False}
    assert ledger_of(funded, next_period).reserved == D("30000.00")


def test_other_groups_are_left_alone(staff, parent, child, provider):
    # a budget group: confirmation enrols at once and no contract is made
    program = f.program(provider, status=ProgramStatus.PUBLISHED)
    group = open_group(program)

    application = apply_and_confirm(staff, parent, child, group)

    assert application.status == S.ENROLLED
    assert Contract.objects.count() == 0


# --- who sees which contract ---------------------------------------------------------


@pytest.mark.parametrize("who", ["parent", "staff", "operator", "authority", "regional"])
def test_contract_is_visible_in_scope(request, offer, who):
    user = request.getfixturevalue(who)
    assert contracts.contract_for(user, offer.uuid) == offer
    assert list(contracts.visible_contracts(user)) == [offer]


@pytest.mark.parametrize("who", ["other_parent", "other_staff", "other_operator"])
def test_contract_is_not_found_outside_scope(request, offer, who):
    user = request.getfixturevalue(who)
    with pytest.raises(NotFound) as error:
        contracts.contract_for(user, offer.uuid)
    assert error.value.message == "Договор не найден."
    assert list(contracts.visible_contracts(user)) == []


def test_parent_of_another_child_in_the_same_city(city, offer):
    stranger = f.user(municipality=city)
    add_child(stranger, first_name="Другой", last_name="Ребёнок")
    with pytest.raises(NotFound):
        contracts.contract_for(stranger, offer.uuid)


@pytest.mark.parametrize("bad", ["not-a-uuid", "", "00000000-0000-0000-0000-000000000000"])
def test_bad_contract_key_is_not_found(parent, offer, bad):
    with pytest.raises(NotFound):
        contracts.contract_for(parent, bad)


def test_contracts_of_certificate(offer, funded):
    assert list(contracts.contracts_of_certificate(funded)) == [offer]
