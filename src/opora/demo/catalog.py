"""Programs and modules of the demo region, composed from their specialisation's texts."""

from dataclasses import dataclass, field
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from opora.demo import history
from opora.demo import texts as t
from opora.demo.draw import deterministic_uuid, weighted
from opora.registry.choices import (
    Direction,
    FounderSector,
    FundingSource,
    Level,
    OrganizationKind,
    OvzKind,
    Ownership,
    ProgramStatus,
    ProgramType,
    Register,
    SeasonalKind,
    StudyForm,
)
from opora.registry.models import Module, Program, Specialisation

S, F = ProgramStatus, FundingSource

# The showcase organization's first programs, so that at any scale its staff account
# sees every status and the region has every direction, level, form and financing source.
SHOWCASE_PROGRAMS = (
    {"direction": Direction.TECHNICAL, "status": S.PUBLISHED, "levels": Level.START,
     "study_form": StudyForm.FULL_TIME, "sources": (F.BUDGET,)},
    {"direction": Direction.NATURAL_SCIENCE, "status": S.INITIAL, "levels": Level.BASE,
     "study_form": StudyForm.CORRESPONDENCE, "sources": (F.BUDGET, F.CERTIFICATE)},
    {"direction": Direction.ARTS, "status": S.MODERATING, "levels": Level.ADVANCED,
     "study_form": StudyForm.MIXED, "sources": (F.CERTIFICATE, F.PAID)},
    {"direction": Direction.TOURISM, "status": S.WAIT_FOR_EDITING,
     "levels": Level.START | Level.BASE, "study_form": StudyForm.FULL_TIME, "sources": (F.PAID,)},
    {"direction": Direction.SOCIAL, "status": S.ARCHIVE, "levels": Level.BASE | Level.ADVANCED,
     "study_form": StudyForm.FULL_TIME, "sources": (F.BUDGET,)},
    {"direction": Direction.SPORTS, "status": S.PUBLISHED,
     "levels": Level.START | Level.BASE | Level.ADVANCED, "study_form": StudyForm.FULL_TIME,
     "sources": (F.CERTIFICATE,)},
    {"direction": Direction.TECHNICAL, "status": S.PUBLISHED, "levels": Level.BASE,
     "study_form": StudyForm.FULL_TIME, "sources": (F.SOCIAL,)},
)

STATUS_WEIGHTS = {S.PUBLISHED: 68, S.INITIAL: 10, S.MODERATING: 8, S.WAIT_FOR_EDITING: 6,
                  S.ARCHIVE: 8}
LEVEL_WEIGHTS = {Level.START: 34, Level.BASE: 30, Level.ADVANCED: 8, Level.START | Level.BASE: 12,
                 Level.BASE | Level.ADVANCED: 9, Level.START | Level.BASE | Level.ADVANCED: 7}
FORM_WEIGHTS = {StudyForm.FULL_TIME: 85, StudyForm.MIXED: 10, StudyForm.CORRESPONDENCE: 5}
OVZ_WEIGHTS = {OvzKind.SPEECH: 5, OvzKind.DEVELOPMENTAL_DELAY: 5, OvzKind.MUSCULOSKELETAL: 3,
               OvzKind.HARD_OF_HEARING: 2, OvzKind.VISUALLY_IMPAIRED: 2, OvzKind.AUTISM: 2,
               OvzKind.INTELLECTUAL: 2, OvzKind.DEAF: 1, OvzKind.BLIND: 1}
PUBLIC_SOURCES = {(F.BUDGET,): 45, (F.BUDGET, F.CERTIFICATE): 20, (F.CERTIFICATE,): 12,
                  (F.SOCIAL,): 3, (F.CERTIFICATE, F.PAID): 8, (F.PAID,): 7, (F.BUDGET, F.PAID): 5}
# Private providers are paid by parents directly («частное») or by certificate.
PRIVATE_SOURCES = {(F.PRIVATE,): 35, (F.CERTIFICATE, F.PRIVATE): 45, (F.CERTIFICATE,): 20}
PRESCHOOL_SPECIALISATIONS = frozenset((
    "Техническое творчество", "Экология", "Изобразительное искусство",
    "Декоративно-прикладное творчество", "Хореография", "Вокал", "Театр", "Иностранные языки",
    "Подготовка к школе", "Психология и общение", "Шахматы", "Гимнастика",
    "ГТО и общая физическая подготовка", "Плавание",
))
SEASONAL_TITLES = {SeasonalKind.SUMMER_SCHOOL: "летняя школа",
                   SeasonalKind.PROFILE_SHIFT: "профильная смена",
                   SeasonalKind.CORRESPONDENCE_SCHOOL: "заочная школа"}
ORDINALS = {1: "первого", 2: "второго"}


@dataclass
class ProgramPlan:
    provider: object
    program: Program
    sources: tuple
    monthly_price: Decimal
    steps: list
    modules: list = field(default_factory=list)
    partners: list = field(default_factory=list)


def _available_specialisations() -> dict:
    """direction -> {name: Specialisation} for the specialisations the demo has texts for."""
    available = {}
    for specialisation in Specialisation.objects.all():
        if specialisation.name in t.TEXTS.get(specialisation.direction, {}):
            available.setdefault(specialisation.direction, {})[specialisation.name] = specialisation
    return available


def _candidates(template, direction, available) -> list[str]:
    names = sorted(available.get(direction, {}))
    for allowed in (template.specialisations,
                    PRESCHOOL_SPECIALISATIONS if template.kind == OrganizationKind.PRESCHOOL
                    else frozenset()):
        narrowed = [n for n in names if n in allowed]
        if narrowed:
            names = narrowed
    return names


def _pick_title(rng, template, direction, available, used) -> tuple[str, str]:
    """A specialisation and a title not yet used by this organization."""
    names = _candidates(template, direction, available)
    for name in rng.sample(names, len(names)):
        fresh = [title for title in t.TEXTS[direction][name].titles if title not in used]
        if fresh:
            return name, rng.choice(fresh)
    name = rng.choice(names)
    title = rng.choice(t.TEXTS[direction][name].titles)
    number = 2
    while f"{title} ({number}-й поток)" in used:
        number += 1
    return name, f"{title} ({number}-й поток)"


def _ages(rng, template, name, text, levels) -> tuple[int, int]:
    if template.kind == OrganizationKind.PRESCHOOL:
        return max(rng.choice((3, 4, 5)), 5 if name in ("Подготовка к школе", "Шахматы") else 3), 7
    low, high = text.ages
    if high - low >= 5 and rng.random() < 0.65:
        width = rng.randint(3, high - low)
        start = high - width if levels == Level.ADVANCED else rng.randint(low, high - width)
        return start, start + width
    return low, high


def _ovz(rng, template) -> int:
    chance = 0.6 if template.sector == FounderSector.SOCIAL_PROTECTION else 0.12
    if rng.random() >= chance:
        return 0
    kinds = set()
    for _ in range(rng.randint(1, 3)):
        kinds.add(weighted(rng, OVZ_WEIGHTS))
    return int(OvzKind.combine(kinds))


def _is_private(template) -> bool:
    return template.ownership in (Ownership.PRIVATE, Ownership.NONPROFIT, Ownership.SOLE_TRADER)


def _sources(rng, template, program_type, forced):
    if forced:
        return forced
    if program_type != ProgramType.GENERAL:
        return (F.BUDGET,)
    return weighted(rng, PRIVATE_SOURCES if _is_private(template) else PUBLIC_SOURCES)


def _registers(rng, sources, program_type, specialisation) -> int:
    registers = set()
    if F.BUDGET in sources:
        if program_type == ProgramType.PRE_PROFESSIONAL:
            registers.add(Register.PRE_PROFESSIONAL)
        elif specialisation.is_significant or rng.random() < 0.25:
            registers.add(Register.SIGNIFICANT)
        else:
            registers.add(Register.OTHER)
    if F.CERTIFICATE in sources or F.SOCIAL in sources:
        registers.add(Register.CERTIFIED)
    if F.PAID in sources or F.PRIVATE in sources:
        registers.add(Register.PAID)
    return int(Register.combine(registers))


def _program_type(rng, template, direction):
    if (template.kind == OrganizationKind.SPORTS_TRAINING and direction == Direction.SPORTS
            and rng.random() < 0.5):
        return ProgramType.SPORTS_TRAINING
    if (template.sector == FounderSector.CULTURE and template.kind == OrganizationKind.SUPPLEMENTARY
            and direction == Direction.ARTS and rng.random() < 0.4):
        return ProgramType.PRE_PROFESSIONAL
    return ProgramType.GENERAL


def _form(rng, template, program_type, forced):
    """Study form, distance flag and seasonality, consistent with each other."""
    plain = template.kind == OrganizationKind.PRESCHOOL or program_type != ProgramType.GENERAL
    form = forced.get("study_form") or (StudyForm.FULL_TIME if plain else weighted(rng, FORM_WEIGHTS))
    distance = form == StudyForm.CORRESPONDENCE or (not plain and rng.random() < 0.08)
    seasonal = SeasonalKind.NONE
    if not plain and not forced:
        if form == StudyForm.CORRESPONDENCE and rng.random() < 0.5:
            seasonal = SeasonalKind.CORRESPONDENCE_SCHOOL
        elif form == StudyForm.FULL_TIME and rng.random() < 0.05:
            seasonal = rng.choice((SeasonalKind.SUMMER_SCHOOL, SeasonalKind.PROFILE_SHIFT))
    return form, distance, seasonal


def _module_hours(rng, template, program_type, levels, seasonal) -> list[int]:
    if seasonal == SeasonalKind.SUMMER_SCHOOL:
        return [60]
    if seasonal == SeasonalKind.PROFILE_SHIFT:
        return [36]
    if seasonal == SeasonalKind.CORRESPONDENCE_SCHOOL:
        return [72]
    if template.kind == OrganizationKind.PRESCHOOL:
        return [rng.choice((32, 36, 64, 72))]
    if program_type == ProgramType.SPORTS_TRAINING:
        return [rng.choice((216, 252))] * 2
    if program_type == ProgramType.PRE_PROFESSIONAL:
        return [rng.choice((144, 216))] * 2
    first = rng.choice((36, 72, 72, 108, 144, 144))
    several_levels = bin(int(levels)).count("1") > 1
    if several_levels or rng.random() < 0.3:
        return [first, first + rng.choice((0, 0, 36))]
    return [first]


def _group_size(rng, template, name, program_type, form) -> tuple[int, int]:
    if name == "Инструментальная музыка":
        return 1, rng.choice((1, 2, 4))
    if template.kind == OrganizationKind.SOLE_TRADER:
        return rng.randint(2, 4), rng.randint(6, 10)
    if form == StudyForm.CORRESPONDENCE:
        return 10, rng.choice((25, 30))
    if template.kind == OrganizationKind.PRESCHOOL:
        return rng.randint(5, 8), rng.randint(10, 12)
    if (name in t.sports.TEXTS and name != "Шахматы") or program_type == ProgramType.SPORTS_TRAINING:
        return rng.randint(8, 12), rng.randint(18, 25)
    return rng.randint(5, 10), rng.randint(12, 15)


def _price(rng, text, place) -> Decimal:
    roubles = text.price * place.price_factor * rng.uniform(0.85, 1.25)
    return Decimal(max(500, round(roubles / 50) * 50)).quantize(Decimal("0.01"))


def _describe(rng, program, text, partners) -> tuple[str, str, str]:
    topics = sorted(rng.sample(range(len(text.topics)), rng.randint(3, min(5, len(text.topics)))))
    parts = [rng.choice(text.intro)]
    if program.program_type == ProgramType.PRE_PROFESSIONAL:
        parts.append(t.PRE_PROFESSIONAL_SENTENCE)
    elif program.program_type == ProgramType.SPORTS_TRAINING:
        parts.append(t.SPORTS_TRAINING_SENTENCE)
    parts.append(rng.choice(t.FORMAT_SENTENCES))
    parts.append("Содержание программы: " + "; ".join(text.topics[i] for i in topics) + ".")
    levels = int(program.levels)
    parts.append(t.LEVEL_SENTENCES.get(levels, t.MULTI_LEVEL_SENTENCE))
    if program.seasonal_kind:
        parts.append(t.SEASONAL_SENTENCES[program.seasonal_kind])
    elif program.study_form == StudyForm.CORRESPONDENCE:
        parts.append(t.CORRESPONDENCE_SENTENCE)
    elif program.is_distance:
        parts.append(t.DISTANCE_SENTENCE)
    if partners:
        parts.append(t.NETWORK_SENTENCE.format(
            partners="; ".join(p.organization.short_name for p in partners)))
    if program.ovz_kinds:
        parts.append(t.OVZ_SENTENCE)

    skills = rng.sample(text.skills, min(len(text.skills), rng.randint(3, 4)))
    tasks = [f"научить {s}" for s in skills[:2]] + rng.sample(t.GENERIC_TASKS, 2)
    goals = (f"Цель программы — {text.goal}.\n\nЗадачи:\n"
             + ";\n".join(f"— {task}" for task in tasks) + ".")
    results = ("По окончании обучения учащиеся научатся:\n"
               + ";\n".join(f"— {s}" for s in skills) + f".\n\nИтог обучения — {text.finale}.")
    return " ".join(parts), goals, results


def _modules(rng, program, hours, text) -> list[Module]:
    modules = []
    for year, module_hours in enumerate(hours, start=1):
        topics = text.topics[:3] if year == 1 else text.topics[2:]
        ordinal = ORDINALS.get(year, f"{year}-го")
        modules.append(Module(
            program=program, year_of_study=year, title=f"{program.title}. {year}-й год обучения",
            hours=module_hours, uuid=deterministic_uuid(rng),
            description=f"Содержание {ordinal} года: " + "; ".join(topics) + ".",
        ))
    return modules


def _levels(rng, template, program_type, forced) -> int:
    if forced:
        return forced["levels"]
    if program_type != ProgramType.GENERAL:
        return Level.BASE | Level.ADVANCED
    if template.kind == OrganizationKind.PRESCHOOL:
        return Level.START if rng.random() < 0.8 else Level.START | Level.BASE
    return weighted(rng, LEVEL_WEIGHTS)


def _duration_months(seasonal, hours) -> int:
    if seasonal in (SeasonalKind.SUMMER_SCHOOL, SeasonalKind.PROFILE_SHIFT):
        return 1
    return 7 if seasonal == SeasonalKind.CORRESPONDENCE_SCHOOL else 9 * len(hours)


def _partners(rng, template, others, forced) -> list:
    chance = 0.2 if template.is_support_centre or template.kind in (
        OrganizationKind.NON_TYPICAL, OrganizationKind.HIGHER) else 0.05
    if forced or not others or rng.random() >= chance:
        return []
    return rng.sample(others, rng.randint(1, min(2, len(others))))


def _plan_program(ctx, rng, provider, number, available, used, others) -> ProgramPlan:
    """The ``number``-th program of a provider, unsaved, with its modules and history."""
    template = provider.template
    forced = SHOWCASE_PROGRAMS[number] if (
        template.is_showcase and number < len(SHOWCASE_PROGRAMS)) else {}
    directions = [d for d in template.profile if d in available]
    direction = forced.get("direction") or rng.choices(
        directions, weights=[template.profile[d] for d in directions])[0]
    name, title = _pick_title(rng, template, direction, available, used)
    text, specialisation = t.TEXTS[direction][name], available[direction][name]
    program_type = ProgramType.GENERAL if forced else _program_type(rng, template, direction)
    levels = _levels(rng, template, program_type, forced)
    form, distance, seasonal = _form(rng, template, program_type, forced)
    if seasonal:
        title = f"{title} ({SEASONAL_TITLES[seasonal]})"
    used.add(title)
    hours = _module_hours(rng, template, program_type, levels, seasonal)
    age_min, age_max = _ages(rng, template, name, text, levels)
    size_min, size_max = _group_size(rng, template, name, program_type, form)
    partners = _partners(rng, template, others, forced)
    sources = _sources(rng, template, program_type, forced.get("sources"))
    if number == 0 and not forced and _is_private(template):
        # every private provider shows its own kind of financing at any scale
        sources = (F.CERTIFICATE, F.PRIVATE)
    program = Program(
        uuid=deterministic_uuid(rng), organization=provider.organization, title=title,
        direction=direction, specialisation=specialisation, program_type=program_type,
        levels=int(levels), study_form=form, is_distance=distance, is_network=bool(partners),
        age_min=age_min, age_max=age_max, duration_months=_duration_months(seasonal, hours),
        hours_total=sum(hours), group_size_min=size_min, group_size_max=size_max,
        ovz_kinds=_ovz(rng, template), seasonal_kind=seasonal, material_base=text.equipment,
        address=provider.organization.address,
        registers=_registers(rng, sources, program_type, specialisation),
        status=forced.get("status") or (
            S.PUBLISHED if number == 0 else weighted(rng, STATUS_WEIGHTS)),
    )
    program.is_for_disabled = bool(program.ovz_kinds) and rng.random() < 0.5
    program.description, program.goals, program.expected_results = _describe(
        rng, program, text, partners)
    plan = ProgramPlan(provider, program, sources, _price(rng, text, provider.place),
                       steps=history.plan_steps(ctx, rng, program), partners=partners)
    plan.modules = _modules(rng, program, hours, text)
    return plan


def build_programs(ctx, providers) -> list[ProgramPlan]:
    """Every provider's programs with their modules and network partners, saved."""
    rng = ctx.rng("programs")
    available = _available_specialisations()
    plans = []
    for provider in providers:
        used = set()
        others = [p for p in providers if p is not provider and p.place is provider.place]
        plans += [_plan_program(ctx, rng, provider, number, available, used, others)
                  for number in range(provider.program_count)]
    _save(plans)
    return plans


def _save(plans):
    for plan in plans:
        plan.program._history_date = plan.program.created_at
        plan.program._history_user = plan.provider.staff
    with history.given_timestamps(Program):
        bulk_create_with_history([p.program for p in plans], Program)
    bulk_create_with_history([m for p in plans for m in p.modules], Module)
    Program.partners.through.objects.bulk_create(
        Program.partners.through(program_id=p.program.pk, organization_id=partner.organization.pk)
        for p in plans for partner in p.partners)
