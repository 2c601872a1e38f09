"""Certification of modules for certificate funding (docs/domain.md §4).

- ``request_certification(actor, module, price) -> ModuleCertification`` — the staff of
  the module's organization (``financing.provide``) ask for certification with the price
  of the module for the whole group period. The normative cost is computed at once and
  the price may not exceed the cap; asking again (after a refusal, or to change the
  price) sends the module back to awaiting.
- ``certify_module(actor, certification)``, ``refuse_certification(actor, certification,
  remark)`` — the МОЦ operator of the organization's municipality (``financing.certify``)
  decides on a module awaiting certification.
- ``module_changed(module, actor=None)`` — for the registry: call inside the transaction
  that saved a changed module; a certified module goes back to awaiting, with its
  normative cost computed again for its current hours.

Normative cost: ``pricing.normative_cost`` with the municipality's ``CostParameters`` for
the organization's area (``Organization.is_rural``: the rural set, else the town set)
and the module's academic hours:

    cost = ⌊(p × k × (1 + s) + r + e) × h / n⌋

p — teacher pay per hour, k — qualification coefficient, s — staff development share,
r — premises per hour, e — equipment per hour, h — hours of the module, n — average
group size; floored to the kopeck. ``ModuleCertification.parameters`` keeps the values
used (as strings), the cap share and the cap, so the result can be checked later even
after the municipality changes its parameters.

Cap: ``pricing.price_cap(normative, share)`` with the ``price_cap_share`` of the
municipality's current financing period, else of its next one, else 150 %.

The program's ``Register.CERTIFIED`` flag follows its modules: set while at least one
module of the program is certified, cleared when none is.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking
from opora.accounts import scope
from opora.errors import InvalidTransition, NotFound, ValidationFailed
from opora.financing import pricing, selectors
from opora.financing.models import CertificationStatus, CostParameters, ModuleCertification
from opora.money import amount
from opora.registry.choices import ProgramStatus, Register
from opora.registry.models import Module, Program

S = CertificationStatus
# Called as ``hook(module)``; each returns the Russian reason the module's program may
# not be certified now, or None. Later apps register here (the quality assessment: a
# municipality may require a passed result, docs/domain.md §5).
certification_blockers: list = []
FORMULA = "⌊(p × k × (1 + s) + r + e) × h / n⌋"


def _module(module: Module) -> Module:
    found = (Module.objects.select_related("program__organization__municipality")
             .filter(pk=module.pk).first())
    if found is None:
        raise NotFound(_("Модуль не найден."))
    return found


def _price(price) -> Decimal:
    if isinstance(price, str):
        price = price.strip().replace(",", ".").replace(" ", "")
    try:
        value = price if isinstance(price, Decimal) else Decimal(str(price))
    except (ArithmeticError, ValueError, TypeError):
        value = None
    if price in (None, "") or value is None or not value.is_finite():
        raise ValidationFailed({"price": [_("Укажите цену модуля в рублях.")]})
    if value < 0:
        raise ValidationFailed({"price": [_("Цена не может быть отрицательной.")]})
    if value != value.quantize(Decimal("0.01")):
        raise ValidationFailed({"price": [_("Цена указывается в рублях и копейках: не более двух "
                                            "знаков после запятой.")]})
    if value > Decimal("999999999999.99"):
        raise ValidationFailed({"price": [_("Слишком большая цена.")]})
    return value.quantize(Decimal("0.01"))


def cap_share_for(municipality) -> Decimal:
    """The price cap share in force: the current period's, else the next one's, else 150 %."""
    period = selectors.current_period(municipality) or selectors.next_period(municipality)
    return period.price_cap_share if period is not None else pricing.DEFAULT_CAP_SHARE


def compute(module: Module) -> tuple[Decimal, Decimal, dict]:
    """The normative cost and the cap of a module now, with the parameters used."""
    organization = module.program.organization
    parameters = CostParameters.objects.filter(municipality_id=organization.municipality_id,
                                               is_rural=organization.is_rural).first()
    if parameters is None:
        area = _("сельской местности") if organization.is_rural else _("городской местности")
        raise ValidationFailed({"price": [
            _("Муниципалитет ещё не утвердил параметры нормативной стоимости для %(area)s: "
              "сертификация пока невозможна.") % {"area": area}]})
    normative = pricing.normative_cost(pricing.CostParameters(
        teacher_pay_per_hour=parameters.teacher_pay_per_hour,
        qualification_coefficient=parameters.qualification_coefficient,
        hours=Decimal(module.hours),
        average_group_size=parameters.average_group_size,
        premises_cost_per_hour=parameters.premises_per_hour,
        equipment_cost_per_hour=parameters.equipment_per_hour,
        staff_development_share=parameters.staff_development_share,
    ))
    share = cap_share_for(organization.municipality)
    cap = pricing.price_cap(normative, share)
    used = {
        "formula": FORMULA,
        "cost_parameters": parameters.pk,
        "is_rural": organization.is_rural,
        "teacher_pay_per_hour": str(parameters.teacher_pay_per_hour),
        "qualification_coefficient": str(parameters.qualification_coefficient),
        "staff_development_share": str(parameters.staff_development_share),
        "premises_per_hour": str(parameters.premises_per_hour),
        "equipment_per_hour": str(parameters.equipment_per_hour),
        "average_group_size": str(parameters.average_group_size),
        "hours": module.hours,
        "normative_cost": str(normative),
        "price_cap_share": str(share),
        "price_cap": str(cap),
    }
    return normative, cap, used


def _cap_message(cap: Decimal, share: Decimal, normative: Decimal) -> str:
    return _("Цена модуля не может быть выше предельной: %(cap)s ₽ (%(share)s %% нормативной "
             "стоимости %(normative)s ₽).") % {
        "cap": amount(cap), "share": format((share * 100).normalize(), "f"), "normative": amount(normative)}


def sync_certified_flag(program: Program) -> None:
    """Set the program's «Сертифицированные» register flag while one of its modules is
    certified, clear it when none is; the caller holds the transaction."""
    program = locking.row(Program, program.pk)
    certified = ModuleCertification.objects.filter(module__program=program,
                                                   status=S.CERTIFIED).exists()
    flag = int(Register.CERTIFIED)
    registers = (program.registers | flag) if certified else (program.registers & ~flag)
    if registers != program.registers:
        program.registers = registers
        program.save(update_fields=["registers", "updated_at"])


def _blocked(module: Module) -> None:
    for hook in certification_blockers:
        reason = hook(module)
        if reason:
            raise InvalidTransition(reason)


def request_certification(actor, module: Module, price) -> ModuleCertification:
    """A provider asks to certify a module at a price not above the cap (the normative
    cost per the municipal parameters × the period's cap share)."""
    module = _module(module)
    scope.require(actor, "financing.provide", module)
    if module.program.status == ProgramStatus.ARCHIVE:
        raise InvalidTransition(_("Программа в архиве: её модули не сертифицируются."))
    price = _price(price)
    _blocked(module)
    normative, cap, used = compute(module)
    if price > cap:
        raise ValidationFailed({"price": [_cap_message(cap, Decimal(used["price_cap_share"]),
                                                       normative)]})
    with transaction.atomic():
        certification = locking.first(ModuleCertification.objects.filter(module=module))
        before = certification.status if certification else ""
        if certification is None:
            certification = ModuleCertification(module=module)
        certification.status = S.AWAITING
        certification.price = price
        certification.normative_cost = normative
        certification.parameters = used
        certification.requested_by = actor
        certification.requested_at = timezone.now()
        certification.decided_by = None
        certification.decided_at = None
        certification.remark = ""
        certification.save()
        audit.record(actor, "financing.certification.requested", certification,
                     from_state=before, to_state=S.AWAITING, price=str(price),
                     normative_cost=str(normative), price_cap=str(cap))
        if before == S.CERTIFIED:
            sync_certified_flag(module.program)
    return certification


def _decided(certification: ModuleCertification) -> ModuleCertification:
    found = (ModuleCertification.objects
             .select_related("module__program__organization__municipality")
             .filter(pk=certification.pk).first())
    if found is None:
        raise NotFound(_("Заявка на сертификацию не найдена."))
    return found


def _locked(certification: ModuleCertification) -> ModuleCertification:
    fresh = locking.row(ModuleCertification, certification.pk)
    fresh.module = certification.module
    if fresh.status != S.AWAITING:
        raise InvalidTransition(_("Решение уже принято: модуль в статусе «%(status)s».") % {
            "status": fresh.get_status_display()})
    return fresh


def certify_module(actor, certification: ModuleCertification) -> ModuleCertification:
    """The МОЦ operator certifies a module awaiting certification; its program joins the
    register of certified programs."""
    certification = _decided(certification)
    scope.require(actor, "financing.certify", certification)
    _blocked(certification.module)
    with transaction.atomic():
        fresh = _locked(certification)
        share = Decimal(str(fresh.parameters.get("price_cap_share", pricing.DEFAULT_CAP_SHARE)))
        cap = pricing.price_cap(fresh.normative_cost, share)
        if fresh.price > cap:
            raise InvalidTransition(_cap_message(cap, share, fresh.normative_cost))
        fresh.status = S.CERTIFIED
        fresh.decided_by = actor
        fresh.decided_at = timezone.now()
        fresh.remark = ""
        fresh.save(update_fields=["status", "decided_by", "decided_at", "remark"])
        audit.record(actor, "financing.certification.certified", fresh, from_state=S.AWAITING,
                     to_state=S.CERTIFIED, price=str(fresh.price),
                     normative_cost=str(fresh.normative_cost))
        sync_certified_flag(fresh.module.program)
    return fresh


def refuse_certification(actor, certification: ModuleCertification,
                         remark: str) -> ModuleCertification:
    """The МОЦ operator refuses to certify a module, saying what is wrong."""
    remark = (remark or "").strip()
    if not remark:
        raise ValidationFailed({"remark": [_("Укажите причину отказа.")]})
    certification = _decided(certification)
    scope.require(actor, "financing.certify", certification)
    with transaction.atomic():
        fresh = _locked(certification)
        fresh.status = S.REFUSED
        fresh.decided_by = actor
        fresh.decided_at = timezone.now()
        fresh.remark = remark
        fresh.save(update_fields=["status", "decided_by", "decided_at", "remark"])
        audit.record(actor, "financing.certification.refused", fresh, from_state=S.AWAITING,
                     to_state=S.REFUSED, reason=remark)
    return fresh


def module_changed(module: Module, actor=None) -> ModuleCertification | None:
    """For the registry, inside the transaction that saved a changed module: a certified
    module goes back to awaiting, its normative cost computed again for its current
    hours (the price stays; the МОЦ decides again). Returns the certification changed."""
    with transaction.atomic():
        certification = locking.first(ModuleCertification.objects.filter(module_id=module.pk,
                                                                         status=S.CERTIFIED))
        if certification is None:
            return None
        module = _module(module)
        try:
            normative, _cap, used = compute(module)
        except ValidationFailed:
            # The parameters were removed: keep the figures computed at the request.
            normative, used = certification.normative_cost, certification.parameters
        certification.module = module
        certification.status = S.AWAITING
        certification.normative_cost = normative
        certification.parameters = used
        certification.requested_at = timezone.now()
        certification.decided_by = None
        certification.decided_at = None
        certification.save()
        audit.record(actor, "financing.certification.returned", certification,
                     from_state=S.CERTIFIED, to_state=S.AWAITING,
                     normative_cost=str(normative))
        sync_certified_flag(module.program)
    return certification
