"""Certification of modules through its services: the normative cost computed from the
municipal parameters (town or rural set) and stored with them, the price cap of the
period, the МОЦ's decision, the program's «Сертифицированные» register flag, and a
changed module going back to awaiting; permissions and bad input change nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from opora.audit.models import AuditEvent
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.financing import certification as service
from opora.financing.models import CertificationStatus, CostParameters, ModuleCertification
from opora.registry.choices import ProgramStatus, Register
from opora.registry.models import Module, Program
from tests import factories as f
from tests.financing.conftest import make_period

S = CertificationStatus
# (500 × 1.2 × 1.05 + 100 + 50) × 72 / 10 = 780 × 7.2
NORMATIVE = Decimal("5616.00")
CAP = Decimal("8424.00")


@pytest.fixture
def parameters(city):
    return CostParameters.objects.create(
        municipality=city, is_rural=False, teacher_pay_per_hour=Decimal("500.00"),
        qualification_coefficient=Decimal("1.200"), staff_development_share=Decimal("0.0500"),
        premises_per_hour=Decimal("100.00"), equipment_per_hour=Decimal("50.00"),
        average_group_size=Decimal("10.00"))


@pytest.fixture
def module(provider, parameters):
    program = f.program(provider, status=ProgramStatus.PUBLISHED, title="Робототехника")
    return program.modules.get()  # 72 hours


def certified(staff, operator, module, price=Decimal("8000.00")):
    return service.certify_module(operator, service.request_certification(staff, module, price))


def registers(module):
    return Program.objects.get(pk=module.program_id).registers


def test_request_computes_and_stores_the_normative_cost(staff, module):
    certification = service.request_certification(staff, module, Decimal("8424.00"))

    assert (certification.status, certification.price, certification.normative_cost) == (
        S.AWAITING, Decimal("8424.00"), NORMATIVE)
    assert certification.parameters == {
        "formula": service.FORMULA, "cost_parameters": certification.parameters["cost_parameters"],
        "is_rural": False, "teacher_pay_per_hour": "500.00", "qualification_coefficient": "1.200",
        "staff_development_share": "0.0500", "premises_per_hour": "100.00",
        "equipment_per_hour": "50.00", "average_group_size": "10.00", "hours": 72,
        "normative_cost": "5616.00", "price_cap_share": "1.50", "price_cap": "8424.00"}
    event = AuditEvent.objects.get(action="financing.certification.requested")
    assert (event.actor, event.to_state, event.data["normative_cost"]) == (staff, S.AWAITING, "5616.00")


def test_a_price_above_the_cap_is_refused_with_the_cap_named(staff, module):
    with pytest.raises(ValidationFailed) as error:
        service.request_certification(staff, module, Decimal("8424.01"))

    assert error.value.field == "price"
    assert "8\xa0424,00 ₽" in error.value.message and "150 %" in error.value.message
    assert "5\xa0616,00 ₽" in error.value.message
    assert ModuleCertification.objects.count() == 0


def test_the_cap_share_of_the_current_period_applies(staff, module, city):
    make_period(city, price_cap_share=Decimal("1.2000"))
    with pytest.raises(ValidationFailed) as error:
        service.request_certification(staff, module, Decimal("6739.21"))  # cap ⌊5616 × 1.2⌋
    assert "6\xa0739,20 ₽" in error.value.message and "120 %" in error.value.message
    assert service.request_certification(staff, module, Decimal("6739.20")).parameters[
        "price_cap_share"] == "1.2000"


def test_the_next_period_applies_when_none_is_current(staff, module, city):
    today = timezone.localdate()
    make_period(city, starts_on=today + dt.timedelta(days=5), ends_on=today + dt.timedelta(days=300),
                price_cap_share=Decimal("1.1000"))
    assert service.cap_share_for(city) == Decimal("1.1000")


def test_a_rural_organization_uses_the_rural_set(city, parameters):
    rural = f.organization(city, is_rural=True)
    CostParameters.objects.create(
        municipality=city, is_rural=True, teacher_pay_per_hour=Decimal("400.00"),
        qualification_coefficient=Decimal("1.000"), staff_development_share=Decimal("0"),
        premises_per_hour=Decimal("0"), equipment_per_hour=Decimal("0"),
        average_group_size=Decimal("6.00"))
    staff = f.user("organization_staff", organization=rural, municipality=city)
    module = f.program(rural, hours_total=10).modules.get()

    certification = service.request_certification(staff, module, Decimal("100.00"))

    assert certification.normative_cost == Decimal("666.66")  # ⌊400 × 10 / 6⌋
    assert certification.parameters["is_rural"] is True


def test_without_parameters_there_is_no_certification(staff, provider):
    module = f.program(provider).modules.get()
    with pytest.raises(ValidationFailed) as error:
        service.request_certification(staff, module, Decimal("100.00"))
    assert "параметры нормативной стоимости" in error.value.message
    assert ModuleCertification.objects.count() == 0


@pytest.mark.parametrize(("price", "words"), [
    (Decimal("-1.00"), "отрицательной"), (Decimal("100.005"), "двух знаков"),
    ("сто", "Укажите цену"), (None, "Укажите цену"), ("", "Укажите цену"),
])
def test_bad_prices_are_refused(staff, module, price, words):
    with pytest.raises(ValidationFailed) as error:
        service.request_certification(staff, module, price)
    assert words in error.value.message
    assert ModuleCertification.objects.count() == 0


@pytest.mark.parametrize("who", ["other_staff", "operator", "authority", "parent"])
def test_only_the_provider_asks(request, module, who):
    with pytest.raises(PermissionDenied):
        service.request_certification(request.getfixturevalue(who), module, Decimal("100.00"))
    assert ModuleCertification.objects.count() == 0


def test_an_archived_program_is_not_certified(staff, module):
    Program.objects.filter(pk=module.program_id).update(status=ProgramStatus.ARCHIVE)
    with pytest.raises(InvalidTransition):
        service.request_certification(staff, module, Decimal("100.00"))


def test_certifying_sets_the_register_flag(staff, operator, module):
    Program.objects.filter(pk=module.program_id).update(registers=int(Register.SIGNIFICANT))

    certification = certified(staff, operator, module)

    assert (certification.status, certification.decided_by) == (S.CERTIFIED, operator)
    assert registers(module) == int(Register.SIGNIFICANT | Register.CERTIFIED)
    assert AuditEvent.objects.filter(action="financing.certification.certified", actor=operator).exists()
    with pytest.raises(InvalidTransition):
        service.certify_module(operator, certification)


def test_refusal_needs_a_remark_and_is_asked_again(staff, operator, module):
    certification = service.request_certification(staff, module, Decimal("8000.00"))
    with pytest.raises(ValidationFailed):
        service.refuse_certification(operator, certification, "  ")
    assert ModuleCertification.objects.get().status == S.AWAITING

    refused = service.refuse_certification(operator, certification, "Нет сметы")
    assert (refused.status, refused.remark) == (S.REFUSED, "Нет сметы")
    assert registers(module) & Register.CERTIFIED == 0

    again = service.request_certification(staff, module, Decimal("7000.00"))
    assert (again.pk, again.status, again.price, again.remark) == (
        certification.pk, S.AWAITING, Decimal("7000.00"), "")


@pytest.mark.parametrize("who", ["other_operator", "authority", "staff", "regional"])
def test_only_the_operator_of_the_municipality_decides(request, staff, module, who):
    certification = service.request_certification(staff, module, Decimal("8000.00"))
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        service.certify_module(actor, certification)
    with pytest.raises(PermissionDenied):
        service.refuse_certification(actor, certification, "Нет")
    assert ModuleCertification.objects.get().status == S.AWAITING
    assert registers(module) & Register.CERTIFIED == 0


def test_a_changed_module_goes_back_to_awaiting(staff, operator, module):
    certified(staff, operator, module)
    Module.objects.filter(pk=module.pk).update(hours=36)

    returned = service.module_changed(module)

    assert (returned.status, returned.price, returned.normative_cost) == (
        S.AWAITING, Decimal("8000.00"), Decimal("2808.00"))
    assert returned.parameters["hours"] == 36
    assert registers(module) & Register.CERTIFIED == 0
    assert AuditEvent.objects.filter(action="financing.certification.returned").count() == 1
    # the price is now above the cap of the new normative cost: the МОЦ cannot certify it
    with pytest.raises(InvalidTransition) as error:
        service.certify_module(operator, returned)
    assert "4\xa0212,00 ₽" in error.value.message


def test_editing_a_certified_module_in_the_registry_sends_it_back(staff, operator, module):
    from opora.registry import services as registry

    certified(staff, operator, module)
    registry.save_module(staff, module.program, {"title": module.title, "hours": 36}, module=module)

    assert ModuleCertification.objects.get(module=module).status == S.AWAITING
    registry.save_module(staff, module.program, {"title": module.title, "hours": 36}, module=module)
    assert AuditEvent.objects.filter(action="financing.certification.returned").count() == 1


def test_an_uncertified_module_is_not_touched_by_a_change(staff, module):
    assert service.module_changed(module) is None
    certification = service.request_certification(staff, module, Decimal("8000.00"))
    assert service.module_changed(module) is None
    assert ModuleCertification.objects.get(pk=certification.pk).status == S.AWAITING


def test_the_flag_stays_while_another_module_is_certified(staff, operator, module):
    second = Module.objects.create(program=module.program, title="Второй год", hours=72, year_of_study=2)
    certified(staff, operator, module)
    certified(staff, operator, second)

    service.module_changed(second)
    assert registers(module) & Register.CERTIFIED
    service.request_certification(staff, module, Decimal("5000.00"))  # asking again: awaiting
    assert registers(module) & Register.CERTIFIED == 0
