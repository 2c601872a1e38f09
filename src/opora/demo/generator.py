"""The demo region «Северная область»: three municipalities, about sixty providers with
their teachers and staff, six hundred programs, fifteen hundred groups and the
moderation history of every program.

The demo bulk-inserts rows instead of calling the registry services one by one:
a service checks permission, validates, locks and commits one row and one audit
event per call, and it stamps the present moment, while a demo needs thousands of
rows with a past. Here every row is built valid by construction (the tests run
``full_clean`` on them) and the audit events the services would have written are
written alongside, with the moments and actors of a plausible history. Everything
is drawn from random generators seeded with ``seed``, so the same seed and day give
the same region.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from opora.accounts.models import Role, User
from opora.demo import (
    accounts,
    agreements,
    amendments,
    budget_places,
    catalog,
    certificates,
    contracts,
    families,
    financing,
    groups,
    history,
    hotline,
    last_year,
    monitoring,
    names,
    portal,
    practices,
    prolongation,
    quality,
    reset,
)
from opora.demo import events as demo_events
from opora.demo import plans as work_plans
from opora.demo import requests as data_requests
from opora.demo import settlement as payments
from opora.demo import training as staff_training
from opora.demo.draw import allocate, deterministic_uuid, weighted
from opora.demo.organizations import (
    ORGANIZATIONS,
    PLACES,
    REGION_NAME,
    OrganizationTemplate,
    Place,
)
from opora.enrollment.models import Application, Child
from opora.financing.models import Certificate, Contract
from opora.registry.choices import (
    FounderSector,
    OrganizationKind,
    QualificationCategory,
    TeacherEducation,
)
from opora.registry.identifiers import make_inn, make_ogrn, make_ogrnip, make_person_inn
from opora.registry.models import (
    Group,
    Municipality,
    MunicipalityPopulation,
    Organization,
    Program,
    Region,
    Teacher,
)

# identifiers.make_inn gives an organization's ИНН only; a sole trader's comes from the
# same checksum rules.

SEED = 1961
FULL_SIZE = {"organizations": len(ORGANIZATIONS), "programs": 600}
CATALOG_REINDEX = "navigator_reindex"


@dataclass
class Context:
    """What every stage of the generation shares."""

    seed: int
    scale: float
    today: dt.date
    now: dt.datetime
    year_start: dt.date
    year_end: dt.date
    password: str

    def rng(self, stage: str) -> random.Random:
        # One generator per stage: changing one stage does not reshuffle the others.
        return random.Random(f"{self.seed}:{stage}")

    def moment(self, day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass
class Provider:
    """An organization of the demo with what the later stages need to know about it."""

    template: OrganizationTemplate
    place: Place
    organization: Organization
    program_count: int
    staff: User | None = None
    teachers: list = field(default_factory=list)
    teacher_directions: list = field(default_factory=list)


@dataclass
class DemoResult:
    created: bool
    region: Region
    users: dict  # the demo accounts by e-mail
    counts: dict


def school_year(today: dt.date) -> tuple[dt.date, dt.date]:
    """1 September – 31 May of the current school year; from June on, of the coming one,
    whose enrolment campaign runs over the summer."""
    year = today.year if today.month >= 6 else today.year - 1
    return dt.date(year, 9, 1), dt.date(year + 1, 5, 31)


def demo_region() -> Region | None:
    return Region.objects.filter(name=REGION_NAME).first()


def build_demo(*, scale: float = 1.0, seed: int = SEED, today: dt.date | None = None,
               reset_first: bool = False) -> DemoResult:
    """Build the demo region unless it exists (or rebuild it with ``reset_first``), then make
    sure the demo accounts exist with the printed password."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    with transaction.atomic():
        region = demo_region()
        if region is not None and reset_first:
            reset.delete_region(region)
            region = None
        created = region is None
        if created:
            region = _generate(_context(scale, seed, today))
        # Also when the region is reused: a database made by an older version may have
        # an empty or stale catalog index, and «open now» depends on the date.
        reindex_catalog()
        users = accounts.ensure_accounts(region)
    return DemoResult(created=created, region=region, users=users, counts=counts(region))


def reindex_catalog() -> None:
    """The public catalog keeps an index of its own that the registry's saves refresh; bulk
    inserts send no such signal, so the demo asks for a full reindex. By command name,
    because nothing imports the navigator; a missing command is an error, not a demo
    with a stale catalog."""
    call_command(CATALOG_REINDEX, verbosity=0)


def counts(region) -> dict:
    in_region = {"organization__municipality__region": region}
    return {
        "municipalities": Municipality.objects.filter(region=region).count(),
        "organizations": Organization.objects.filter(municipality__region=region).count(),
        "teachers": Teacher.objects.filter(**in_region).count(),
        "programs": Program.objects.filter(**in_region).count(),
        "groups": Group.objects.filter(
            module__program__organization__municipality__region=region).count(),
        "parents": User.objects.filter(role=Role.PARENT, municipality__region=region).count(),
        "children": Child.objects.filter(municipality__region=region).count(),
        "certificates": Certificate.objects.filter(municipality__region=region).count(),
        "contracts": Contract.objects.filter(period__municipality__region=region).count(),
        "applications": Application.objects.filter(
            group__module__program__organization__municipality__region=region).count(),
    }


def _context(scale, seed, today) -> Context:
    now = timezone.now()
    if today is None:
        today = timezone.localdate()
    elif today != timezone.localdate():
        now = timezone.make_aware(dt.datetime.combine(today, dt.time(12, 0)))
    start, end = school_year(today)
    return Context(seed=seed, scale=scale, today=today, now=now, year_start=start,
                   year_end=end, password=accounts.password_hash())


def _generate(ctx: Context) -> Region:
    region = Region.objects.create(name=REGION_NAME)
    municipalities = _territory(ctx, region)
    providers = _organizations(ctx, municipalities)
    users = accounts.ensure_accounts(region, ctx.password)
    operators = {p.key: users[a.email] for p in PLACES for a in accounts.ACCOUNTS
                 if a.place == p.key and a.role == Role.SUPPORT_CENTRE}
    _staff(ctx, providers, users)
    _teachers(ctx, providers)
    plans = catalog.build_programs(ctx, providers)
    groups.build_groups(ctx, plans)
    history.record_history(ctx, providers, plans, operators)
    families.build_families(ctx, municipalities, providers, users, {p.key: p for p in PLACES})
    last_year.build_last_year(ctx, municipalities)
    financing.build_financing(ctx, municipalities)
    certificates.build_certificates(ctx, municipalities, operators,
                                    families.demo_children(users[families.DEMO_PARENT]))
    cooperation = agreements.build_agreements(ctx, municipalities, users)
    contracts.build_contracts(ctx, municipalities, cooperation)
    payments.build_settlement(ctx)
    prolongation.build_prolongation(ctx, users)
    amendments.build_amendments(ctx)
    budget_places.build_budget_places(ctx, municipalities, users)
    work_plans.build_plans(ctx, users)
    staff_training.build_training(ctx, users)
    hotline.build_hotline(ctx, municipalities, users)
    demo_events.build_events(ctx, users)
    quality.build_quality(ctx, users)
    practices.build_practices(ctx, users)
    data_requests.build_requests(ctx, users, operators)
    portal.build_portal(ctx, users)
    work_plans.attach_evidence(ctx, users)
    monitoring.build_snapshots(ctx)  # last: it freezes what everything above made
    return region


def _territory(ctx, region) -> dict:
    municipalities = {}
    for place in PLACES:
        municipalities[place.key] = Municipality.objects.create(
            region=region, name=place.name, kind=place.kind, oktmo=place.oktmo,
            uuid=deterministic_uuid(ctx.rng(f"uuid:{place.key}")))
    MunicipalityPopulation.objects.bulk_create(
        MunicipalityPopulation(municipality=municipalities[p.key], year=year, children_5_17=n)
        for p in PLACES
        for year, n in ((ctx.today.year - 1, p.children_previous_year),
                        (ctx.today.year, p.children_this_year)))
    return municipalities


def selected_templates(scale: float) -> list:
    """The organizations of a demo of this scale: first those that make every kind,
    founder's sector, form of ownership and every municipality's МОЦ present, then
    the rest in the order of the list."""
    wanted = max(1, round(FULL_SIZE["organizations"] * scale))
    core, seen = [], set()
    for template in ORGANIZATIONS:
        traits = {("kind", template.kind), ("sector", template.sector),
                  ("ownership", template.ownership)}
        if template.is_support_centre or template.is_showcase or traits - seen:
            core.append(template)
            seen |= traits
    rest = [t for t in ORGANIZATIONS if t not in core]
    chosen = {t.slug for t in core + rest[:max(0, wanted - len(core))]}
    return [t for t in ORGANIZATIONS if t.slug in chosen]


def _address(rng, place, template) -> str:
    postcode = f"{place.postcode}{rng.randint(0, 40):02d}"
    if place.is_rural:
        settlement = template.village or place.settlement
        return (f"{postcode}, Северная обл., Лесной р-н, {settlement}, "
                f"{rng.choice(names.RURAL_STREETS)}, {names.house(rng)}")
    return f"{postcode}, Северная обл., {place.settlement}, {rng.choice(names.STREETS)}, " \
           f"{names.house(rng)}"


def _organizations(ctx, municipalities) -> list[Provider]:
    rng = ctx.rng("organizations")
    located = ctx.rng("coordinates")  # a stream of its own: the rest of the demo stays as it was
    templates = selected_templates(ctx.scale)
    places = {p.key: p for p in PLACES}
    taken = set(Organization.objects.values_list("inn", flat=True))
    program_total = max(round(FULL_SIZE["programs"] * ctx.scale),
                        len(templates) + len(catalog.SHOWCASE_PROGRAMS))
    program_counts = allocate(
        program_total, [t.weight for t in templates],
        [len(catalog.SHOWCASE_PROGRAMS) if t.is_showcase else 1 for t in templates])
    providers = []
    for template, program_count in zip(templates, program_counts, strict=True):
        place = places[template.place]
        sole_trader = template.kind == OrganizationKind.SOLE_TRADER
        inn = None
        while inn is None or inn in taken:
            inn = make_person_inn(rng) if sole_trader else make_inn(rng)
        taken.add(inn)
        head = template.owner or names.person(rng, female=rng.random() < 0.7)
        domain = "mail.example" if sole_trader else f"{place.slug}-edu.example"
        has_licence = not sole_trader or rng.random() < 0.5
        organization = Organization(
            uuid=deterministic_uuid(rng), full_name=template.full_name,
            short_name=template.short_name, inn=inn,
            ogrn=make_ogrnip(rng) if sole_trader else make_ogrn(rng),
            kind=template.kind, sector=template.sector, ownership=template.ownership,
            municipality=municipalities[place.key], address=_address(rng, place, template),
            is_rural=place.is_rural,
            latitude=round(place.latitude + located.uniform(-place.spread, place.spread), 5),
            longitude=round(place.longitude + located.uniform(-place.spread, place.spread) * 1.8, 5),
            phone=names.mobile_phone(rng) if sole_trader else names.city_phone(rng, place.area_code),
            email=f"{template.slug}@{domain}",
            website="" if sole_trader else f"https://{template.slug}.{domain}",
            head_name=" ".join(head),
            licence_number=(f"Л035-{rng.randint(1000, 1999):05d}-02/{rng.randint(0, 99999999):08d}"
                            if has_licence else ""),
            licence_date=(dt.date(2012, 1, 1) + dt.timedelta(days=rng.randint(0, 4300))
                          if has_licence else None),
            is_support_centre=template.is_support_centre,
        )
        providers.append(Provider(template, place, organization, program_count))
    bulk_create_with_history([p.organization for p in providers], Organization)
    return providers


def _staff(ctx, providers, users):
    """One staff account per organization: the demo one for the showcase, and for the
    others an account that signs their programs' history and can log in too."""
    rng = ctx.rng("staff")
    new = []
    for provider in providers:
        template = provider.template
        if template.is_showcase:
            provider.staff = users[next(a.email for a in accounts.ACCOUNTS
                                        if a.organization == "showcase")]
            continue
        last, first, patronymic = template.owner or names.person(rng, female=rng.random() < 0.8)
        provider.staff = User(
            email=accounts.staff_email(template.slug), password=ctx.password,
            last_name=last, first_name=first, patronymic=patronymic,
            role=Role.ORGANIZATION_STAFF, organization=provider.organization,
            municipality=provider.organization.municipality,
        )
        new.append(provider.staff)
    User.objects.bulk_create(new)


_EDUCATION_WEIGHTS = {
    TeacherEducation.HIGHER_PEDAGOGICAL: 45, TeacherEducation.HIGHER: 25,
    TeacherEducation.VOCATIONAL_PEDAGOGICAL: 15, TeacherEducation.VOCATIONAL: 10,
    TeacherEducation.OTHER: 5,
}
_CATEGORY_WEIGHTS = {
    QualificationCategory.HIGHEST: 20, QualificationCategory.FIRST: 30,
    QualificationCategory.CONFORMITY: 25, QualificationCategory.NONE: 25,
}


def _position(template, rng) -> str:
    if template.kind == OrganizationKind.SPORTS_TRAINING:
        return "Тренер-преподаватель"
    if template.sector == FounderSector.CULTURE and template.kind == OrganizationKind.SUPPLEMENTARY:
        return "Преподаватель"
    if rng.random() < 0.06:
        return rng.choice(("Педагог-организатор", "Методист",
                           "Старший педагог дополнительного образования"))
    return "Педагог дополнительного образования"


def _teachers(ctx, providers):
    rng = ctx.rng("teachers")
    rows = []
    for provider in providers:
        template = provider.template
        directions = list(template.profile)
        direction_weights = list(template.profile.values())
        count = 1 if template.owner else min(40, max(2, round(provider.program_count * 0.8) + 1))
        female_share = 0.45 if template.kind == OrganizationKind.SPORTS_TRAINING else 0.78
        for number in range(count):
            if template.owner:
                last, first, patronymic = template.owner
                position = "Педагог"
            else:
                last, first, patronymic = names.person(rng, female=rng.random() < female_share)
                position = _position(template, rng)
            teacher = Teacher(
                uuid=deterministic_uuid(rng), organization=provider.organization,
                last_name=last, first_name=first, patronymic=patronymic, position=position,
                education=weighted(rng, _EDUCATION_WEIGHTS),
                category=weighted(rng, _CATEGORY_WEIGHTS),
                is_active=number == 0 or rng.random() < 0.97,
            )
            provider.teachers.append(teacher)
            # Every direction of the profile gets a teacher before any gets a second one.
            provider.teacher_directions.append(
                directions[number] if number < len(directions)
                else rng.choices(directions, weights=direction_weights)[0])
            rows.append(teacher)
    bulk_create_with_history(rows, Teacher)
