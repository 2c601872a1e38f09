"""Prolongation into the next period (docs/domain.md §4, «The next school year»): the
provider proposes, the parent accepts or declines the offer priced for the new period,
unanswered offers are accepted automatically where the payer chose so, refusals carry
the reasons of a new contract, the payer's bulk run reports and can be repeated."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from opora.enrollment.models import Application
from opora.enrollment.models import ApplicationStatus as AS
from opora.errors import PermissionDenied, ValidationFailed
from opora.financing import certificates, contracts, prolongation
from opora.financing.models import (
    CertificateLedger,
    Contract,
    ContractStatus,
    FinancingPeriod,
    ModuleCertification,
    ProlongationOffer,
    ProlongationStatus,
)
from tests.financing.prolongation_fixtures import NEW_START, S, class_of, school_years, two_year_program

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def years(city):
    return school_years(city)


@pytest.fixture
def setup(provider, years):
    program, this_year, next_year = two_year_program(provider)
    return program, this_year, next_year


@pytest.fixture
def pupils(city, years, setup):
    current, new = years
    return class_of(3, city, setup[1], current, new)


def ledger(contract, period):
    return CertificateLedger.objects.get(certificate=contract.certificate, period=period)


def test_offer_is_priced_and_reserved_in_the_new_period(staff, years, setup, pupils):
    current, new = years
    _program, this_year, next_year = setup
    parent, source = pupils[0]

    offers = prolongation.propose_prolongation(staff, this_year)

    assert [o.status for o in offers] == [ProlongationStatus.OFFERED] * 3
    offer = next(o for o in offers if o.source_id == source.pk)
    contract = offer.contract
    assert (contract.period, contract.group, contract.status) == (new, next_year, ContractStatus.CONFIRMED)
    assert (contract.starts_on, contract.ends_on) == (NEW_START, dt.date(S + 1, 12, 31))
    # by hand: D = D_group = 122, total = 36,000, normative = 30,000, balance 30,000;
    # later months floor(92/122 × amount / 3), the first month the rest
    assert (contract.total, contract.certificate_part, contract.parent_part) == (
        D("36000.00"), D("30000.00"), D("6000.00"))
    assert [(m.certificate_amount, m.parent_amount) for m in contract.months.order_by("month")] == [
        (D("7377.06"), D("1475.43")), (D("7540.98"), D("1508.19")),
        (D("7540.98"), D("1508.19")), (D("7540.98"), D("1508.19"))]
    assert ledger(contract, new).reserved == D("30000.00")
    assert ledger(contract, current).reserved == D("6000.00")  # the old year untouched
    new.refresh_from_db()
    assert new.committed == D("90000.00")
    # the old contract goes on; the child holds a seat in next year's group
    source.refresh_from_db()
    assert source.status == ContractStatus.ACTIVE
    assert contract.application.status == AS.AWAITING_CONTRACT

    # the parent accepts: the child is enrolled in next year's group
    contracts.accept_contract(parent, contract)
    offer.refresh_from_db()
    assert offer.status == ProlongationStatus.ACCEPTED and not offer.accepted_automatically
    assert Application.objects.get(pk=contract.application_id).status == AS.ENROLLED


def test_parent_declines_and_the_reserve_returns(staff, years, setup, pupils):
    _current, new = years
    parent, source = pupils[0]
    prolongation.propose_prolongation(staff, setup[1])
    offer = ProlongationOffer.objects.get(source=source)

    contracts.decline_contract(parent, offer.contract, "Переходим в спортивную секцию")

    offer.refresh_from_db()
    assert offer.status == ProlongationStatus.DECLINED
    assert "Переходим в спортивную секцию" in offer.reason
    assert ledger(offer.contract, new).reserved == D("0.00")
    new.refresh_from_db()
    assert new.committed == D("60000.00")  # the two others keep theirs
    assert setup[2].__class__.objects.get(pk=setup[2].pk).seats_taken == 2


def test_children_left_out_are_recorded_and_not_offered(staff, years, setup, pupils):
    _current, new = years
    keep = [pupils[0][1].pk]

    offers = prolongation.propose_prolongation(staff, setup[1], contract_ids=keep)

    assert sorted(o.status for o in offers) == [ProlongationStatus.LEFT_OUT] * 2 + [ProlongationStatus.OFFERED]
    assert Contract.objects.filter(period=new).count() == 1
    # the payer's run does not offer them either
    report = prolongation.run_prolongation(_moc(new), new.municipality)
    assert report.made == 0 and Contract.objects.filter(period=new).count() == 1


def _moc(period):
    from opora.accounts.models import Role
    from tests import factories as f

    return f.user(Role.SUPPORT_CENTRE, municipality=period.municipality)


def test_unanswered_offer_is_accepted_automatically_when_the_payer_chose_so(operator, staff, city, years,
                                                                          setup, pupils):
    prolongation.propose_prolongation(staff, setup[1])
    # no rule: nothing happens however long the parent waits
    ProlongationOffer.objects.update(offered_at=timezone.now() - dt.timedelta(days=30))
    assert prolongation.accept_due_offers() == 0

    prolongation.save_prolongation_settings(operator, city, 10)
    first = ProlongationOffer.objects.order_by("pk").first()
    ProlongationOffer.objects.exclude(pk=first.pk).update(offered_at=timezone.now() - dt.timedelta(days=9))
    assert prolongation.accept_due_offers() == 1
    assert prolongation.accept_due_offers() == 0  # idempotent

    first.refresh_from_db()
    assert (first.status, first.accepted_automatically) == (ProlongationStatus.ACCEPTED, True)
    assert first.contract.status == ContractStatus.ACTIVE
    assert Application.objects.get(pk=first.contract.application_id).status == AS.ENROLLED
    assert set(ProlongationOffer.objects.exclude(pk=first.pk).values_list("status", flat=True)) == {
        ProlongationStatus.OFFERED}


def test_refusals_carry_the_reasons_of_a_new_contract(staff, city, years, setup, pupils):
    current, new = years
    (_p0, budgetless), (_p1, frozen), (_p2, fine) = pupils
    # the budget holds one contract; one certificate is frozen
    certificates.freeze_certificate(_moc(new), frozen.certificate, "Проверка документов")
    FinancingPeriod.objects.filter(pk=new.pk).update(budget=D("30000.00"))

    offers = {o.source_id: o for o in prolongation.propose_prolongation(staff, setup[1])}

    assert offers[frozen.pk].status == ProlongationStatus.REFUSED
    assert "заморожен" in offers[frozen.pk].reason
    made = [o for o in offers.values() if o.status == ProlongationStatus.OFFERED]
    refused = [o for o in offers.values() if o.status == ProlongationStatus.REFUSED and o.source_id != frozen.pk]
    assert len(made) == 1 and len(refused) == 1
    assert refused[0].reason.startswith(f"Бюджет периода финансирования «{new.title}» исчерпан")
    # nothing of a refused offer stays: no contract, no application, no seat, no money
    assert Contract.objects.filter(period=new).count() == 1
    assert Application.objects.filter(group=setup[2]).count() == 1
    new.refresh_from_db()
    assert new.committed == D("30000.00")


def test_uncertified_module_refuses(staff, years, setup, pupils):
    ModuleCertification.objects.filter(module=setup[2].module).update(status="awaiting")

    offers = prolongation.propose_prolongation(staff, setup[1])

    assert {o.status for o in offers} == {ProlongationStatus.REFUSED}
    assert "не сертифицирован" in offers[0].reason


def test_bulk_run_is_idempotent_and_retries_what_money_refused(operator, city, years, setup, pupils):
    _current, new = years
    FinancingPeriod.objects.filter(pk=new.pk).update(budget=D("60000.00"))

    first = prolongation.run_prolongation(operator, city)
    assert (first.made, first.refused) == (2, 1)
    snapshot = list(Contract.objects.filter(period=new).values_list("pk", "certificate_part"))

    again = prolongation.run_prolongation(operator, city)
    assert (again.made, again.refused) == (0, 1)  # only the refused one is tried again
    assert list(Contract.objects.filter(period=new).values_list("pk", "certificate_part")) == snapshot
    assert ProlongationOffer.objects.count() == 3

    # the payer raises the budget: the rerun prolongs the last child
    FinancingPeriod.objects.filter(pk=new.pk).update(budget=D("90000.00"))
    last = prolongation.run_prolongation(operator, city)
    assert (last.made, last.refused) == (1, 0)
    assert last.counts[ProlongationStatus.OFFERED] == 3
    new.refresh_from_db()
    assert new.committed == D("90000.00") == Contract.objects.filter(period=new).aggregate(
        s=Sum("certificate_part"))["s"]


def test_bulk_run_reports_a_missing_next_module_group(operator, city, years, setup, pupils):
    setup[2].delete()  # next year's group of the second module not created yet
    report = prolongation.run_prolongation(operator, city)
    assert report.refused == 3
    assert "нет группы следующего модуля" in ProlongationOffer.objects.first().reason


def test_program_that_ends_is_not_prolonged(operator, city, provider, years):
    from tests import factories as f
    from tests.financing.conftest import certificate_only, certify

    current, new = years
    program = f.program(provider, status="published", title="Шахматы")
    certify(program.modules.get())
    # a one-module program has a group only this year: nothing continues
    group = certificate_only(program, dt.date(S, 9, 1), dt.date(S + 1, 5, 31), capacity_max=5)
    class_of(1, city, group, current, new)
    assert prolongation.run_prolongation(operator, city).made == 0
    assert ProlongationOffer.objects.count() == 0


def test_one_year_program_continues_in_its_own_module(operator, city, provider, years):
    from tests import factories as f
    from tests.financing.conftest import certificate_only, certify

    current, new = years
    program = f.program(provider, status="published", title="Шахматы")
    certify(program.modules.get())
    group = certificate_only(program, dt.date(S, 9, 1), dt.date(S + 1, 5, 31), capacity_max=5)
    again = certificate_only(program, NEW_START, dt.date(S + 2, 5, 31), capacity_max=5)
    class_of(1, city, group, current, new)
    assert prolongation.run_prolongation(operator, city).made == 1
    assert ProlongationOffer.objects.get().group == again


def test_no_next_period_no_prolongation(staff, operator, city, years, setup, pupils):
    # the next period has already started (or was never made): nothing to prolong into
    FinancingPeriod.objects.filter(pk=years[1].pk).update(starts_on=timezone.localdate())
    with pytest.raises(ValidationFailed):
        prolongation.propose_prolongation(staff, setup[1])
    with pytest.raises(ValidationFailed):
        prolongation.run_prolongation(operator, city)
    assert ProlongationOffer.objects.count() == 0


def test_target_must_be_a_group_of_the_same_program_in_the_new_period(staff, provider, years, setup, pupils):
    other, _g1, elsewhere = two_year_program(provider, title="Другая программа")
    with pytest.raises(ValidationFailed) as refused:
        prolongation.propose_prolongation(staff, setup[1], target=elsewhere)
    assert "target" in refused.value.errors
    assert ProlongationOffer.objects.count() == 0


@pytest.mark.parametrize("who", ["other_staff", "operator", "parent", "authority"])
def test_only_the_provider_proposes(request, who, setup, pupils):
    with pytest.raises(PermissionDenied):
        prolongation.propose_prolongation(request.getfixturevalue(who), setup[1])
    assert ProlongationOffer.objects.count() == 0


@pytest.mark.parametrize("who", ["staff", "other_operator", "parent", "regional"])
def test_only_the_payer_runs(request, who, city, setup, pupils):
    with pytest.raises(PermissionDenied):
        prolongation.run_prolongation(request.getfixturevalue(who), city)
    assert ProlongationOffer.objects.count() == 0


def test_settings_are_checked(operator, staff, city):
    with pytest.raises(ValidationFailed):
        prolongation.save_prolongation_settings(operator, city, 0)
    with pytest.raises(PermissionDenied):
        prolongation.save_prolongation_settings(staff, city, 5)
    assert prolongation.settings_of(city).auto_accept_days is None
    prolongation.save_prolongation_settings(operator, city, "7")
    assert prolongation.settings_of(city).auto_accept_days == 7
    prolongation.save_prolongation_settings(operator, city, "")
    assert prolongation.settings_of(city).auto_accept_days is None


def test_the_daily_command_accepts_due_offers_once(operator, staff, city, setup, pupils):
    import io

    from django.core.management import call_command

    prolongation.propose_prolongation(staff, setup[1])
    prolongation.save_prolongation_settings(operator, city, 3)
    ProlongationOffer.objects.update(offered_at=timezone.now() - dt.timedelta(days=4))
    out = io.StringIO()
    call_command("accept_prolongations", stdout=out)
    call_command("accept_prolongations", stdout=out)
    assert out.getvalue().split("\n")[:2] == ["offers accepted: 3", "offers accepted: 0"]
    assert set(Contract.objects.filter(period=years_new(city)).values_list("status", flat=True)) == {
        ContractStatus.ACTIVE}


def years_new(city):
    return FinancingPeriod.objects.filter(municipality=city).order_by("-starts_on").first()
