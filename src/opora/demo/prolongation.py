"""Prolongation in the demo (docs/domain.md §4, «The next school year»): the demo's
periods are calendar years, so two certificate programs of «staff@demo.opora»'s house
of creativity get a summer module in the next period (June – August), and the staff
propose their groups through the services. «parent@demo.opora»'s son studies in one of
them under an active contract, so his offer for the next period waits in the cabinet;
another family declined; the last child of the larger group found no seat in the
summer group; in the smaller group the provider left one child out. The municipality
accepts unanswered offers after 14 days."""

import datetime as dt
from decimal import Decimal

from opora.accounts.models import Role, User
from opora.enrollment import services as enrollment_services
from opora.financing import certification, contracts, prolongation
from opora.financing.models import (
    CertificationStatus,
    Contract,
    ContractStatus,
    ModuleCertification,
    ProlongationOffer,
    ProlongationStatus,
)
from opora.registry.choices import FundingSource
from opora.registry.models import Group, GroupFunding, Module, ScheduleLine

# (program title, the source group's name, the summer group's capacity, children left out)
SUMMER = [("Юный патриот", "Группа № 2, 2-й год обучения", 7, 0),
          ("3D-моделирование", "Группа № 3", 10, 1)]
HOURS = 36


def build_prolongation(ctx, users: dict) -> int:
    """Offers of the demo; returns how many were made. Nothing when the demo's data
    lack the programs (a smaller scale)."""
    staff, parent = users.get("staff@demo.opora"), users.get("parent@demo.opora")
    if staff is None or parent is None or staff.organization_id is None:
        return 0
    period = prolongation.next_period(staff.municipality_id, ctx.today)
    if period is None:
        return 0
    sources = {}
    for title, name, capacity, left_out in SUMMER:
        group = (Group.objects.filter(module__program__organization_id=staff.organization_id,
                                      module__program__title=title, name=name)
                 .select_related("module__program").first())
        if group is None or not Contract.objects.filter(group=group, status=ContractStatus.ACTIVE).exists():
            continue
        sources[title] = (group, _summer_group(group, period, capacity), left_out)
    if not sources:
        return 0
    _enrol_demo_son(staff, parent, sources.get(SUMMER[0][0]))
    prolongation.save_prolongation_settings(_operator(staff), staff.municipality, 14)
    made = 0
    for group, summer, left_out in sources.values():
        active = list(Contract.objects.filter(group=group, status=ContractStatus.ACTIVE)
                      .order_by("-pk").values_list("pk", flat=True))
        chosen = active[left_out:]
        offers = prolongation.propose_prolongation(staff, group, summer, chosen)
        made += sum(o.status == ProlongationStatus.OFFERED for o in offers)
    _one_declines(parent)
    return made


def _summer_group(group: Group, period, capacity: int) -> Group:
    """The program's next module: a summer module in June – August of the next period,
    certified, with a group paid for by certificates only."""
    program = group.module.program
    year = max(program.modules.values_list("year_of_study", flat=True)) + 1
    module = Module.objects.create(program=program, year_of_study=year,
                                   title=f"{program.title}. Летний модуль", hours=HOURS,
                                   description="Практика летом: проекты, выезды и соревнования.")
    normative, cap, used = certification.compute(module)
    price = min((normative * Decimal("1.10")).quantize(Decimal("0.01")), cap)
    ModuleCertification.objects.create(module=module, status=CertificationStatus.CERTIFIED, price=price,
                                       normative_cost=normative, parameters=used,
                                       requested_at=period.created_at, decided_at=period.created_at)
    start = dt.date(period.ends_on.year, 6, 1)
    summer = Group.objects.create(
        module=module, name="Летняя группа", start_date=start, end_date=dt.date(start.year, 8, 14),
        hours_per_year=HOURS, capacity_min=1, capacity_max=capacity, age_min=group.age_min,
        age_max=group.age_max, address=group.address, is_active=True)
    summer.teachers.set(group.teachers.all())
    for line in group.schedule.all():
        ScheduleLine.objects.create(group=summer, weekdays=line.weekdays, time_from=line.time_from,
                                    time_to=line.time_to, lesson_minutes=line.lesson_minutes,
                                    break_minutes=line.break_minutes, address=line.address)
    GroupFunding.objects.create(group=summer, source=FundingSource.CERTIFICATE,
                                monthly_price=(price / 3).quantize(Decimal("0.01")), total_price=price)
    return summer


def _enrol_demo_son(staff, parent, source) -> None:
    """«parent@demo.opora»'s elder child studies in the first program's group: enrolled
    by the provider and the contract accepted by the parent, through the services."""
    if source is None:
        return
    group = source[0]
    child = next((g.child for g in parent.guardianships.select_related("child").order_by("child__birth_date")
                  if group.age_min <= _age(g.child.birth_date, group.start_date) <= group.age_max), None)
    if child is None or group.seats_taken >= group.capacity_max:
        return
    application = enrollment_services.file_continuation(staff, child, group, "Запись в группу")
    contracts.accept_contract(parent, Contract.objects.get(application=application))


def _age(birth, on):
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _operator(staff):
    return User.objects.filter(role=Role.SUPPORT_CENTRE, municipality_id=staff.municipality_id).order_by("pk").first()


def _one_declines(parent) -> None:
    """One family (not the demo parent's) declines its offer."""
    offer = (ProlongationOffer.objects.filter(status=ProlongationStatus.OFFERED)
             .exclude(source__application__child__guardianships__parent=parent)
             .select_related("contract").order_by("pk").first())
    if offer is None:
        return
    guardian = offer.source.application.child.guardianships.filter(confirmed_at__isnull=False).first()
    if guardian is not None:
        contracts.decline_contract(guardian.parent, offer.contract, "Летом ребёнок уезжает в лагерь")
