"""Read-side queries of the public pages and the open API: one program, one
organization, the directions, free seats and the state of enrolment in a group.

Everything here returns public rows only (``Program.public_q()`` and friends through
``scope.visible(None, …)``) and nothing about children or parents.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opora.accounts import scope
from opora.errors import NotFound
from opora.navigator import catalog, codes, filters
from opora.registry.choices import Direction, FundingSource
from opora.registry.models import Group, Module, Organization, Program
from opora.registry.selectors import free_seats_expression

DIRECTION_TEXTS = {
    Direction.TECHNICAL: _("Робототехника, программирование, конструирование, беспилотники, "
                           "3D-моделирование и электроника: дети создают технику своими руками."),
    Direction.NATURAL_SCIENCE: _("Экология, химия, физика, биология и астрономия: опыты, "
                                 "наблюдения и первые исследования."),
    Direction.ARTS: _("Рисование, танцы, музыка, вокал, театр, кино и декоративное творчество."),
    Direction.TOURISM: _("Походы, ориентирование, краеведение и музейное дело: знакомство с "
                         "родным краем."),
    Direction.SOCIAL: _("Иностранные языки, журналистика, волонтёрство, финансовая грамотность, "
                        "подготовка к школе и развитие лидерских качеств."),
    Direction.SPORTS: _("Футбол, плавание, шахматы, единоборства, гимнастика и общая физическая "
                        "подготовка."),
}


@dataclass(frozen=True)
class Enrolment:
    """Whether a group takes applications now, and when that changes."""

    state: str  # "open", "later" or "closed"
    until: object = None
    opens: object = None


def enrolment_of(group: Group, now=None) -> Enrolment:
    now = now or timezone.now()
    ended = group.end_date < timezone.localdate(now)
    if not group.is_active or not group.enrolment_open or ended:
        return Enrolment("closed")
    if group.enrolment_to and group.enrolment_to <= now:
        return Enrolment("closed")
    if group.enrolment_from and group.enrolment_from > now:
        return Enrolment("later", opens=group.enrolment_from)
    return Enrolment("open", until=group.enrolment_to)


@dataclass(frozen=True)
class Badge:
    kind: str  # "free", "certificate" or "paid"
    label: str
    monthly_price: object = None


def payment_badges(payment: int, min_paid_price=None) -> list[Badge]:
    """The financing badges of docs/domain.md §2 for a set of payment bits; the paid one
    carries the lowest monthly price a family pays."""
    labels = {
        "free": _("Возможно бесплатное обучение"),
        "certificate": _("Возможна оплата сертификатом"),
        "paid": _("Возможно платное обучение"),
    }
    return [Badge(code, labels[code], min_paid_price if code == "paid" else None)
            for code in codes.codes_of(codes.PAYMENTS, payment)]


def public_programs():
    return scope.visible(None, Program.objects.all())


def program_detail(pk: int) -> Program:
    """A published program with its organization, partners and active groups (with
    schedule, teachers, financing sources and free seats): a fixed number of queries."""
    groups = (Group.objects.filter(is_active=True)
              .annotate(free_seats=free_seats_expression())
              .prefetch_related("schedule", "funding", "teachers")
              .order_by("start_date", "name"))
    program = (public_programs()
               .select_related("organization__municipality", "specialisation", "catalog_entry")
               .prefetch_related(
                   Prefetch("partners", queryset=scope.visible(None, Organization.objects.all())
                            .select_related("municipality").order_by("short_name")),
                   Prefetch("modules", queryset=Module.objects.order_by("year_of_study", "pk")
                            .prefetch_related(Prefetch("groups", queryset=groups))))
               .filter(pk=pk).first())
    if program is None:
        raise NotFound(_("Программа не найдена или снята с публикации."))
    return program


def groups_of(program: Program, now=None) -> list[Group]:
    """The program's active groups, each with ``enrolment`` and its financing sources
    sorted as the badges are."""
    order = {source: n for n, source in enumerate(FundingSource.values)}
    found = []
    for module in program.modules.all():
        for group in module.groups.all():
            group.enrolment = enrolment_of(group, now)
            group.funding_lines = sorted(group.funding.all(), key=lambda line: order[line.source])
            group.module_title = module.title
            found.append(group)
    return found


def public_organizations(municipality=None):
    """Active organizations, by name, optionally of one municipality."""
    found = scope.visible(None, Organization.objects.select_related("municipality")).order_by("short_name", "pk")
    return found.filter(municipality_id=municipality) if municipality else found


def organization_detail(pk: int) -> Organization:
    organization = (scope.visible(None, Organization.objects.all())
                    .select_related("municipality").filter(pk=pk).first())
    if organization is None:
        raise NotFound(_("Организация не найдена."))
    return organization


def direction_of(code: str) -> Direction:
    try:
        return Direction(code)
    except ValueError:
        raise NotFound(_("Такой направленности нет.")) from None


def map_points(flt) -> list[dict]:
    """The organizations of the programs a search finds, each with how many of them it
    has, where it is and the link to those programs: the map's markers and, for a phone
    without tiles, its list. Organizations without coordinates are counted apart."""
    flt, counts = catalog.organizations(flt)
    organizations = (scope.visible(None, Organization.objects.filter(pk__in=list(counts)))
                     .select_related("municipality").order_by("short_name"))
    points = []
    for organization in organizations:
        query = filters.to_query(flt.but(organization=organization.pk, page=1))
        points.append({
            "id": organization.pk, "name": organization.short_name,
            "address": organization.address, "municipality": organization.municipality.name,
            "latitude": organization.latitude, "longitude": organization.longitude,
            "programs": counts[organization.pk],
            "url": f"{reverse('navigator:home')}?{urlencode(query, doseq=True)}",
        })
    return points
