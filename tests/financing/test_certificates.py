"""Certificates through their services: the parent's request, the МОЦ's issue (number,
validity, kind, financing places and the queue), refusal, freezing and unfreezing, the
financing queue and the fallback of unused financing certificates; permissions and bad
input change nothing. The races (numbers, places) run on PostgreSQL at the end."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from opora.accounts.models import Role, User
from opora.audit.models import AuditEvent
from opora.enrollment import services as enrollment_services
from opora.enrollment.models import Application, Child, Guardianship, Sex
from opora.enrollment.models import ApplicationStatus as A
from opora.enrollment.rules import identity_key
from opora.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from opora.financing import certificates as service
from opora.financing.models import (
    Certificate,
    CertificateKind,
    CertificateLedger,
    CertificateStatus,
    Contract,
    ContractStatus,
    FinancingPeriod,
    NominalUnit,
    PeriodFallback,
)
from opora.registry.choices import ProgramStatus
from tests import factories as f
from tests.concurrency import RACES, run_parallel
from tests.enrollment.conftest import add_child, born, open_group
from tests.financing.conftest import make_period

K, S = CertificateKind, CertificateStatus




@pytest.fixture
def other_parent(district):
    return f.user(Role.PARENT, municipality=district, email="other.parent@example.org")


def events(target, action=None):
    found = AuditEvent.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
    if action:
        found = found.filter(action=action)
    return list(found.order_by("pk"))


def requested(parent, child, **kw):
    certificate, _created = service.request_certificate(parent, child, **kw)
    return certificate


def issued(operator, parent, child, **kw):
    return service.issue_certificate(operator, requested(parent, child, **kw))


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def kid(city, n, **kw):
    """Another family of the city: its parent and child."""
    parent = f.user(Role.PARENT, municipality=city)
    return parent, add_child(parent, first_name=f"Ребёнок{n}", last_name=f"Фамилия{n}", **kw)


# --- request -------------------------------------------------------------------------


def test_guardian_requests_a_certificate(parent, child):
    certificate = requested(parent, child)

    assert (certificate.status, certificate.wants_financing, certificate.number) == (S.REQUESTED, True, None)
    assert certificate.municipality_id == child.municipality_id
    assert certificate.requested_by == parent
    [event] = events(certificate)
    assert (event.action, event.to_state, event.actor) == ("financing.certificate.requested", S.REQUESTED, parent)


def test_asking_again_returns_the_live_certificate(parent, child):
    first, created = service.request_certificate(parent, child)
    again, created_again = service.request_certificate(parent, child, wants_financing=False)

    assert (again.pk, created, created_again) == (first.pk, True, False)
    assert fresh(first).wants_financing is True
    assert Certificate.objects.count() == 1


def test_parent_of_another_family_cannot_request(other_parent, child):
    with pytest.raises(NotFound):
        requested(other_parent, child)
    assert Certificate.objects.count() == 0


def test_unconfirmed_guardian_cannot_request(parent, child, city):
    stranger = f.user(Role.PARENT, municipality=city)
    Guardianship.objects.create(parent=stranger, child=child, consent_at=timezone.now(),
                                consent_by=stranger, consent_channel="parent")
    with pytest.raises(NotFound):
        requested(stranger, child)
    assert Certificate.objects.count() == 0


@pytest.mark.parametrize("age", [3, 4, 18])
def test_only_children_aged_five_to_seventeen(parent, age):
    child = add_child(parent, first_name="Малыш", birth_date=born(age))

    with pytest.raises(ValidationFailed) as error:
        requested(parent, child)

    assert "от 5 до 17 лет" in error.value.message
    assert Certificate.objects.count() == 0


@pytest.mark.parametrize("age", [5, 17])
def test_ages_five_and_seventeen_may_ask(parent, age):
    child = add_child(parent, first_name="Ровесник", birth_date=born(age))
    assert requested(parent, child).status == S.REQUESTED


def test_a_refused_request_is_asked_again_on_the_same_row(parent, child, operator):
    first = requested(parent, child)
    service.refuse_certificate(operator, first, "Нет документа")

    again, created = service.request_certificate(parent, child, wants_financing=False)

    assert (again.pk, created) == (first.pk, True)
    assert (again.status, again.reason, again.decided_by, again.wants_financing) == (
        S.REQUESTED, "", None, False)
    assert [e.action for e in events(again)] == [
        "financing.certificate.requested", "financing.certificate.refused",
        "financing.certificate.requested"]
    assert events(again)[-1].from_state == S.REFUSED


# --- issue ---------------------------------------------------------------------------


def test_issue_gives_number_validity_and_a_financing_place(parent, child, operator, period, city):
    certificate = issued(operator, parent, child)

    assert certificate.status == S.ISSUED
    assert certificate.number == city.oktmo[:2] + "00000001"
    assert certificate.valid_until == service.eighteenth_birthday(child.birth_date) - dt.timedelta(days=1)
    assert certificate.kind == K.FINANCING and certificate.financing_wanted_at is None
    [ledger] = certificate.ledgers.all()
    assert (ledger.period, ledger.nominal, ledger.reserved, ledger.paid) == (
        period, Decimal("30000.00"), Decimal("0.00"), Decimal("0.00"))
    assert fresh(period).financing_places == 1
    event = events(certificate, "financing.certificate.issued")[0]
    assert (event.actor, event.from_state, event.to_state, event.data["number"]) == (
        operator, S.REQUESTED, S.ISSUED, certificate.number)


def test_valid_until_the_day_before_the_eighteenth_birthday():
    assert service.valid_until(dt.date(2012, 5, 20)) == dt.date(2030, 5, 19)
    assert service.valid_until(dt.date(2012, 1, 1)) == dt.date(2029, 12, 31)
    assert service.valid_until(dt.date(2012, 2, 29)) == dt.date(2030, 2, 28)


def test_numbers_follow_each_other_within_a_prefix(operator, period, city, district):
    numbers = [issued(operator, *kid(city, n)).number for n in range(3)]
    # the default prefix is the region (two ОКТМО digits): a municipality of the same
    # region continues the same series
    other_operator = f.user(Role.SUPPORT_CENTRE, municipality=district)
    parent = f.user(Role.PARENT, municipality=district)
    other = issued(other_operator, parent, add_child(parent, last_name="Районова"))

    assert numbers == ["4500000001", "4500000002", "4500000003"]
    assert other.number == "4500000004"


def test_the_prefix_is_a_setting(settings, operator, period, city, parent, child):
    settings.OPORA_CERTIFICATE_PREFIX = "{oktmo}"
    assert issued(operator, parent, child).number == city.oktmo + "01"


@pytest.mark.parametrize("pattern", ["{oktmo}{oktmo}", "AB", "{okato}", "123456789"])
def test_a_bad_prefix_setting_is_refused_loudly(settings, operator, parent, child, pattern):
    settings.OPORA_CERTIFICATE_PREFIX = pattern
    certificate = requested(parent, child)
    with pytest.raises(ImproperlyConfigured):
        service.issue_certificate(operator, certificate)
    assert fresh(certificate).status == S.REQUESTED and fresh(certificate).number is None


def test_a_prefix_runs_out_of_serials(settings, operator, parent, child, city):
    settings.OPORA_CERTIFICATE_PREFIX = "{oktmo}"
    make_existing = add_child(parent, first_name="Старший")
    Certificate.objects.create(child=make_existing, municipality=city, status=S.ISSUED,
                               number=city.oktmo + "99", requested_at=timezone.now())
    certificate = requested(parent, child)

    with pytest.raises(ValidationFailed) as error:
        service.issue_certificate(operator, certificate)

    assert "закончились" in error.value.message
    assert fresh(certificate).number is None


def test_the_number_never_changes(parent, child, operator, period):
    certificate = issued(operator, parent, child)
    number = certificate.number
    service.freeze_certificate(operator, certificate, "Проверка")
    service.unfreeze_certificate(operator, certificate)
    with pytest.raises(InvalidTransition):
        service.issue_certificate(operator, certificate)
    assert fresh(certificate).number == number


def test_accounting_certificate_when_financing_is_not_wanted(parent, child, operator, period):
    certificate = issued(operator, parent, child, wants_financing=False)

    assert (certificate.kind, certificate.financing_wanted_at) == (K.ACCOUNTING, None)
    assert certificate.ledgers.count() == 0
    assert fresh(period).financing_places == 0


def test_with_no_free_place_the_child_queues(parent, child, operator, city):
    period = make_period(city, certificates_cap=0)
    certificate = issued(operator, parent, child)

    assert certificate.kind == K.ACCOUNTING
    assert certificate.financing_wanted_at is not None
    assert certificate.ledgers.count() == 0
    assert fresh(period).financing_places == 0


def test_with_no_current_period_the_child_queues(parent, child, operator):
    certificate = issued(operator, parent, child)
    assert (certificate.kind, certificate.financing_wanted_at is not None) == (K.ACCOUNTING, True)


def test_a_nominal_in_hours_becomes_money(parent, child, operator, city):
    make_period(city, nominal=Decimal("4.5"), nominal_unit=NominalUnit.HOURS,
                hour_cost=Decimal("333.33"))
    certificate = issued(operator, parent, child)
    assert certificate.ledgers.get().nominal == Decimal("1499.98")  # ⌊4.5 × 333.33⌋


@pytest.mark.parametrize("who", ["other_operator", "authority", "regional", "staff", "parent"])
def test_only_the_operator_of_the_municipality_issues(request, parent, child, period, who):
    certificate = requested(parent, child)
    actor = request.getfixturevalue(who)

    for decide in (lambda: service.issue_certificate(actor, certificate),
                   lambda: service.refuse_certificate(actor, certificate, "Причина")):
        with pytest.raises(PermissionDenied):
            decide()

    assert (fresh(certificate).status, fresh(certificate).number) == (S.REQUESTED, None)
    assert fresh(period).financing_places == 0
    assert len(events(certificate)) == 1


def test_an_adult_gets_no_certificate(parent, operator):
    child = add_child(parent, first_name="Взрослеющий", birth_date=born(17))
    certificate = requested(parent, child)
    Child.objects.filter(pk=child.pk).update(birth_date=born(18))

    with pytest.raises(InvalidTransition):
        service.issue_certificate(operator, certificate)
    assert fresh(certificate).status == S.REQUESTED


# --- refusal -------------------------------------------------------------------------


def test_refusal_needs_a_reason(parent, child, operator):
    certificate = requested(parent, child)
    with pytest.raises(ValidationFailed) as error:
        service.refuse_certificate(operator, certificate, "   ")
    assert error.value.field == "reason"
    assert fresh(certificate).status == S.REQUESTED


def test_refusal_records_the_reason(parent, child, operator):
    certificate = service.refuse_certificate(operator, requested(parent, child), " Нет свидетельства ")

    assert (certificate.status, certificate.reason, certificate.decided_by) == (
        S.REFUSED, "Нет свидетельства", operator)
    assert events(certificate, "financing.certificate.refused")[0].reason == "Нет свидетельства"


def test_an_issued_certificate_is_not_refused(parent, child, operator, period):
    certificate = issued(operator, parent, child)
    with pytest.raises(InvalidTransition):
        service.refuse_certificate(operator, certificate, "Поздно")
    assert fresh(certificate).status == S.ISSUED


# --- freezing ------------------------------------------------------------------------


@pytest.fixture
def budget_group(provider):
    program = f.program(provider, status=ProgramStatus.PUBLISHED, title="Шахматы")
    return open_group(program, name="Шахматы-1", capacity_max=1)


def test_freeze_keeps_the_balance_and_rejects_pending_applications(
        parent, child, operator, period, staff, budget_group, provider):
    certificate = issued(operator, parent, child)
    CertificateLedger.objects.filter(certificate=certificate).update(committed=Decimal("6000.00"))
    other_group = open_group(f.program(provider, status=ProgramStatus.PUBLISHED), name="Танцы")
    enrolled = enrollment_services.submit_application(parent, child, other_group)[0]
    enrollment_services.confirm_application(staff, enrolled)
    pending = enrollment_services.submit_application(parent, child, budget_group)[0]
    # a second family takes nothing: the first child's seat is its own
    assert fresh(enrolled).status == A.ENROLLED and pending.status == A.NEW

    frozen = service.freeze_certificate(operator, certificate, "Ребёнок выбыл из муниципалитета")

    assert (frozen.status, frozen.reason) == (S.FROZEN, "Ребёнок выбыл из муниципалитета")
    ledger = certificate.ledgers.get()
    assert (ledger.frozen_nominal, ledger.nominal, ledger.balance) == (
        Decimal("30000.00"), Decimal("6000.00"), Decimal("0.00"))
    rejected = fresh(pending)
    assert (rejected.status, rejected.reason) == (A.REJECTED, "в связи с заморозкой сертификата")
    assert fresh(enrolled).status == A.ENROLLED
    event = events(certificate, "financing.certificate.frozen")[0]
    assert event.data["balances"] == {str(period.pk): "24000.00"}
    assert event.data["rejected_applications"] == [pending.pk]


def test_freeze_rejects_waitlisted_applications_too(parent, child, operator, period, budget_group, city):
    other_parent, other_child = kid(city, 1)
    enrollment_services.submit_application(other_parent, other_child, budget_group)
    waiting = enrollment_services.submit_application(parent, child, budget_group)[0]
    assert waiting.status == A.WAITLISTED

    service.freeze_certificate(operator, issued(operator, parent, child), "Проверка")

    assert fresh(waiting).status == A.REJECTED


def test_unfreeze_restores_the_nominal(parent, child, operator, period):
    certificate = issued(operator, parent, child)
    CertificateLedger.objects.filter(certificate=certificate).update(committed=Decimal("700.00"))
    service.freeze_certificate(operator, certificate, "Проверка документов")

    unfrozen = service.unfreeze_certificate(operator, certificate, "Документы в порядке")

    assert (unfrozen.status, unfrozen.reason) == (S.ISSUED, "")
    ledger = certificate.ledgers.get()
    assert (ledger.nominal, ledger.frozen_nominal, ledger.balance) == (
        Decimal("30000.00"), None, Decimal("29300.00"))
    assert events(certificate, "financing.certificate.unfrozen")[0].reason == "Документы в порядке"


def test_freeze_needs_a_reason_and_an_issued_certificate(parent, child, operator, period):
    certificate = requested(parent, child)
    with pytest.raises(InvalidTransition):
        service.freeze_certificate(operator, certificate, "Причина")
    certificate = service.issue_certificate(operator, certificate)
    with pytest.raises(ValidationFailed):
        service.freeze_certificate(operator, certificate, "")
    with pytest.raises(InvalidTransition):
        service.unfreeze_certificate(operator, certificate)
    assert fresh(certificate).status == S.ISSUED
    assert certificate.ledgers.get().frozen_nominal is None


@pytest.mark.parametrize("who", ["other_operator", "authority", "staff", "parent"])
def test_only_the_operator_of_the_municipality_freezes(request, parent, child, operator, period, who):
    certificate = issued(operator, parent, child)
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        service.freeze_certificate(actor, certificate, "Причина")
    service.freeze_certificate(operator, certificate, "Причина")
    with pytest.raises(PermissionDenied):
        service.unfreeze_certificate(actor, certificate)
    assert fresh(certificate).status == S.FROZEN
    assert certificate.ledgers.get().frozen_nominal == Decimal("30000.00")


# --- the financing queue -------------------------------------------------------------


def test_freed_places_go_to_the_oldest_in_line(operator, city):
    period = make_period(city, certificates_cap=1)
    first = issued(operator, *kid(city, 0))
    second = issued(operator, *kid(city, 1))
    third = issued(operator, *kid(city, 2))
    assert [c.kind for c in (first, second, third)] == [K.FINANCING, K.ACCOUNTING, K.ACCOUNTING]
    assert second.financing_wanted_at < third.financing_wanted_at

    FinancingPeriod.objects.filter(pk=period.pk).update(certificates_cap=2)
    served = service.serve_financing_queue(period)

    assert [c.pk for c in served] == [second.pk]
    assert (fresh(second).kind, fresh(second).financing_wanted_at) == (K.FINANCING, None)
    assert fresh(second).ledgers.get().nominal == Decimal("30000.00")
    assert (fresh(third).kind, fresh(third).financing_wanted_at is not None) == (K.ACCOUNTING, True)
    assert fresh(period).financing_places == 2
    assert events(second, "financing.certificate.financed")
    assert service.serve_financing_queue(period) == []


def test_frozen_certificates_are_passed_over_in_the_queue(operator, city):
    period = make_period(city, certificates_cap=0)
    first = issued(operator, *kid(city, 0))
    second = issued(operator, *kid(city, 1))
    service.freeze_certificate(operator, first, "Проверка")
    FinancingPeriod.objects.filter(pk=period.pk).update(certificates_cap=1)

    served = service.serve_financing_queue(period)

    assert [c.pk for c in served] == [second.pk]
    assert fresh(first).kind == K.ACCOUNTING


def test_a_financing_certificate_continues_into_the_next_period(operator, city, parent, child):
    today = timezone.localdate()
    current = make_period(city, starts_on=today - dt.timedelta(days=10),
                          ends_on=today + dt.timedelta(days=10), certificates_cap=1)
    financed = issued(operator, parent, child)
    queued = issued(operator, *kid(city, 1))
    following = make_period(city, title="Следующий", starts_on=today + dt.timedelta(days=11),
                            ends_on=today + dt.timedelta(days=300), certificates_cap=5,
                            nominal=Decimal("20000.00"))

    served = service.serve_financing_queue(following)

    # the queue waits for the period to start; the financing certificate carries on
    assert [c.pk for c in served] == [financed.pk]
    assert fresh(financed).ledgers.get(period=following).nominal == Decimal("20000.00")
    assert fresh(queued).ledgers.count() == 0
    assert (fresh(current).financing_places, fresh(following).financing_places) == (1, 1)


def test_parent_joins_the_queue_and_gets_a_free_place(operator, period, parent, child, other_parent):
    certificate = issued(operator, parent, child, wants_financing=False)
    with pytest.raises(NotFound):
        service.ask_for_financing(other_parent, certificate)

    financed = service.ask_for_financing(parent, certificate)

    assert (financed.kind, financed.financing_wanted_at) == (K.FINANCING, None)
    assert events(certificate, "financing.certificate.queued")
    with pytest.raises(InvalidTransition):
        service.ask_for_financing(parent, certificate)


# --- fallback ------------------------------------------------------------------------


def contract_for(certificate, period, group, status=ContractStatus.CONFIRMED):
    parent = certificate.child.guardianships.get().parent
    application = Application.objects.create(
        child=certificate.child, group=group, channel="cabinet", status=A.WITHDRAWN,
        created_by=parent, status_changed_at=timezone.now())
    return Contract.objects.create(
        number=f"Д-{certificate.pk}", application=application, certificate=certificate,
        period=period, ledger=certificate.ledgers.filter(period=period).first(),
        organization=group.module.program.organization, module=group.module,
        group=group, status=status, signed_on=timezone.localdate(), starts_on=group.start_date,
        ends_on=group.end_date, total=Decimal("1000.00"), normative=Decimal("1000.00"),
        certificate_part=Decimal("1000.00"), parent_part=Decimal("0.00"))


@pytest.fixture
def deadline_passed(city):
    today = timezone.localdate()
    return make_period(city, starts_on=today - dt.timedelta(days=60),
                       ends_on=today + dt.timedelta(days=200), certificates_cap=3,
                       fallback_on=today - dt.timedelta(days=1))


def test_unused_financing_certificates_fall_back_to_accounting(operator, city, deadline_passed,
                                                                budget_group):
    period = deadline_passed
    used, unused, refused_only, queued = (issued(operator, *kid(city, n)) for n in range(4))
    contract_for(used, period, budget_group)
    contract_for(refused_only, period, budget_group, status=ContractStatus.REFUSED)
    assert fresh(queued).kind == K.ACCOUNTING

    freed = service.fallback_unused()

    assert freed == 2
    assert fresh(used).kind == K.FINANCING and fresh(used).ledgers.count() == 1
    for certificate in (unused, refused_only):
        assert (fresh(certificate).kind, fresh(certificate).ledgers.count()) == (K.ACCOUNTING, 0)
        event = events(certificate, "financing.certificate.fell_back")[0]
        assert event.actor is None and event.data["period"] == period.pk
    # one of the freed places went to the child in line
    assert (fresh(queued).kind, fresh(queued).ledgers.get().period) == (K.FINANCING, period)
    assert fresh(period).financing_places == 2
    assert events(period, service.FALLBACK_DONE)[0].data["places_freed"] == 2


def test_the_fallback_runs_once_per_period(operator, city, deadline_passed):
    unused = issued(operator, *kid(city, 0))
    assert service.fallback_unused() == 1
    # given again after the deadline (the parent asked for financing): it keeps its place
    service.ask_for_financing(unused.child.guardianships.get().parent, unused)
    assert fresh(unused).kind == K.FINANCING

    call_command("certificates_fallback")

    assert fresh(unused).kind == K.FINANCING
    assert fresh(deadline_passed).financing_places == 1
    assert len(events(deadline_passed, service.FALLBACK_DONE)) == 1
    assert PeriodFallback.objects.get(period=deadline_passed).ran_on == timezone.localdate()


def test_the_period_remembers_its_fallback_without_the_audit_trail(operator, city, deadline_passed):
    """The mark is the period's own row: the audit trail records, it does not decide."""
    unused = issued(operator, *kid(city, 0))
    assert service.fallback_unused() == 1
    service.ask_for_financing(unused.child.guardianships.get().parent, unused)
    AuditEvent.objects.filter(action=service.FALLBACK_DONE).delete()

    assert service.fallback_unused() == 0

    assert fresh(unused).kind == K.FINANCING
    assert fresh(deadline_passed).financing_places == 1
    assert events(deadline_passed, service.FALLBACK_DONE) == []


def test_before_the_deadline_nothing_falls_back(operator, city, parent, child):
    today = timezone.localdate()
    period = make_period(city, fallback_on=today)
    certificate = issued(operator, parent, child)

    assert service.fallback_unused() == 0
    assert fresh(certificate).kind == K.FINANCING and fresh(period).financing_places == 1
    assert service.fallback_unused(today + dt.timedelta(days=1)) == 1
    assert fresh(certificate).kind == K.ACCOUNTING


def test_a_place_in_a_later_period_keeps_the_certificate_financing(operator, city, deadline_passed):
    certificate = issued(operator, *kid(city, 0))
    following = make_period(city, title="Следующий", starts_on=deadline_passed.ends_on + dt.timedelta(days=1),
                            ends_on=deadline_passed.ends_on + dt.timedelta(days=300))
    service.serve_financing_queue(following)

    service.fallback_unused()

    assert fresh(certificate).kind == K.FINANCING
    assert [ledger.period for ledger in fresh(certificate).ledgers.all()] == [following]
    assert events(certificate, "financing.certificate.place_released")


def test_the_command_reports_freed_places(operator, city, deadline_passed, capsys):
    issued(operator, *kid(city, 0))
    call_command("certificates_fallback", "--date", timezone.localdate().isoformat())
    assert "places freed: 1" in capsys.readouterr().out


# --- races on PostgreSQL -------------------------------------------------------------


def requests_of(n, municipality):
    """``n`` requested certificates, each with a child and its guardian, in bulk."""
    now = timezone.now()
    parents = User.objects.bulk_create([
        User(email=f"cert{i}@example.org", role=Role.PARENT, municipality=municipality,
             password="!", last_name="Родитель", first_name=str(i)) for i in range(n)])
    kids = Child.objects.bulk_create([
        Child(last_name=f"Фамилия{i}", first_name="Имя", birth_date=born(10), sex=Sex.MALE,
              municipality=municipality, identity_key=identity_key(f"Фамилия{i}", "Имя", "", born(10)))
        for i in range(n)])
    Guardianship.objects.bulk_create([
        Guardianship(parent=p, child=c, consent_at=now, consent_by=p, consent_channel="parent",
                     confirmed_at=now, confirmed_by=p) for p, c in zip(parents, kids, strict=True)])
    return [service.request_certificate(p, c)[0] for p, c in zip(parents, kids, strict=True)]


def _issue(operator, certificate):
    return lambda: service.issue_certificate(operator, certificate).number


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@RACES
def test_parallel_issues_give_unique_consecutive_numbers_and_never_pass_the_cap(operator, city):
    period = make_period(city, certificates_cap=5)
    certificates = requests_of(30, city)

    results, errors = run_parallel([_issue(operator, c) for c in certificates], workers=len(certificates))

    assert errors == []
    assert sorted(results) == [f"45{n:08d}" for n in range(1, 31)]
    assert Certificate.objects.filter(kind=K.FINANCING).count() == 5
    assert CertificateLedger.objects.filter(period=period).count() == 5
    assert fresh(period).financing_places == 5
    assert Certificate.objects.filter(kind=K.ACCOUNTING, financing_wanted_at__isnull=False).count() == 25


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@RACES
def test_without_the_number_lock_numbers_collide(operator, city, unguarded):
    # the control: the same rush with the prefix lock switched off
    unguarded("certificate-numbers")
    certificates = requests_of(30, city)

    results, errors = run_parallel([_issue(operator, c) for c in certificates], workers=len(certificates))

    assert any(isinstance(e, IntegrityError) for e in errors)
    assert len(results) == len(set(results)) < 30  # the unique constraint kept them apart


def _take_place(period):
    def call():
        with transaction.atomic():
            return service.take_place(period)
    return call


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@RACES
@pytest.mark.parametrize("lock", [True, False], ids=["conditional update", "read then write"])
def test_parallel_places_never_pass_the_cap(city, unguarded, lock):
    if not lock:
        unguarded("financing-places")
    period = make_period(city, certificates_cap=10)

    results, errors = run_parallel([_take_place(period)] * 40, workers=40)

    assert errors == []
    taken = results.count(True)
    if lock:
        assert taken == 10 and fresh(period).financing_places == 10
    else:
        # the lost update: more requests were told they had a place than were counted
        assert taken > fresh(period).financing_places
