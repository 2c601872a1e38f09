"""The indicators of a territory on a reference date, computed live in SQL.

Every count of children is ``COUNT(DISTINCT child)`` over the live enrolments of the
date (``live_enrolments``), computed once per computation into a temporary table
(``live_set``) that every breakdown reads: the number of queries does not depend on the
number of municipalities, programs or children.

An enrolment (an application) is live on D when
- the child was enrolled on or before D (``enrolled_on <= D``);
- it is still enrolled, or it ended (expelled, completed, withdrawn after enrolment) on
  D or later: ``ended_on`` is the last day of studies, set by the expulsion and the
  completion; a withdrawal by a merge keeps none, its status change date stands in;
- the group's period contains D (``start_date <= D <= end_date``);
- the child is 5 or older and not yet 18 on D (turning 5 on D counts, turning 18 on D
  does not).
A merged duplicate is deleted and its applications move to the kept child, so it is
counted once. A child counts once in a total and once per value of a breakdown (once
per direction, so the rows of a breakdown by direction add up to more than the total).

The register of gifted children (``events``) is read here; the figures of apps above
``monitoring`` (the share of teachers trained this year, kept by ``training``) come in
through ``register``, so this module imports none of them.

``compute`` returns plain data (keys, not labels), which a snapshot stores as it is.
"""

import datetime as dt
import itertools
import threading
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate

from opora.enrollment.models import Application, ApplicationStatus, Child
from opora.events.selectors import gifted_count
from opora.financing.models import (
    Certificate,
    CertificateKind,
    CertificateLedger,
    CertificateStatus,
    Contract,
    ContractStatus,
    SocialCertificate,
)
from opora.monitoring.models import DEFAULT_TARGETS, Indicator, IndicatorTarget
from opora.registry.choices import (
    Direction,
    FundingSource,
    Level,
    ProgramStatus,
    QualificationCategory,
)
from opora.registry.models import (
    Group,
    GroupFunding,
    Municipality,
    MunicipalityPopulation,
    Program,
    Teacher,
)

S = ApplicationStatus
PROGRAM = "group__module__program"
ORGANIZATION = f"{PROGRAM}__organization"
RESIDENCE = "child__municipality"
PROVIDER = f"{ORGANIZATION}__municipality"
VIEWS = {"residence": RESIDENCE, "provider": PROVIDER}

AGE_BANDS = (("5-9", 5, 10), ("10-14", 10, 15), ("15-17", 15, 18))
STEM = (Direction.TECHNICAL, Direction.NATURAL_SCIENCE)
# Yes/no breakdowns: counted as conditional COUNT(DISTINCT …) in one query.
FLAGS = {
    "rural": Q(child__is_rural=True),
    "ovz": Q(child__has_ovz=True),
    "disabled": Q(child__is_disabled=True),
    "difficult_situation": Q(child__difficult_situation=True),
    "distance": Q(**{f"{PROGRAM}__is_distance": True}),
    "network": Q(**{f"{PROGRAM}__is_network": True}),
}
# Flags that are the child's own (one value per child): their «no» row is the rest.
CHILD_FLAGS = {"rural", "ovz", "disabled", "difficult_situation"}
# A program may have several levels (a bit field): a child counts under each.
LEVELS = tuple(Level)


# Figures the apps above add: indicator -> function (day, municipality_id) -> (numerator,
# denominator), a percentage. ``register`` is called from the app's ready().
FIGURES: dict[Indicator, Callable[[dt.date, int | None], tuple[int, int]]] = {}


def register(code: Indicator):
    """Add the figure of ``code`` (usable as a decorator)."""
    def add(figure):
        FIGURES[Indicator(code)] = figure
        return figure
    return add


def with_bit(bit: int) -> list[int]:
    """The values of a level field that include ``bit``."""
    return [value for value in range(1, 2 ** len(LEVELS)) if value & bit]


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier; 29 February falls back to the 28th (ГК РФ ст. 192:
    a term ending in a month without that day ends on its last day)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_q(day: dt.date, prefix: str = "child__") -> Q:
    """5 ≤ age < 18 on ``day``."""
    return Q(**{f"{prefix}birth_date__lte": years_before(day, 5),
                f"{prefix}birth_date__gt": years_before(day, 18)})


def live_enrolments(day: dt.date):
    """Applications that are live enrolments on ``day`` of children aged 5–17 then."""
    return (Application.objects
            .annotate(ended=Coalesce("ended_on", TruncDate("status_changed_at")))
            .filter(age_q(day),
                    enrolled_on__isnull=False, enrolled_on__lte=day,
                    status__in=(S.ENROLLED, S.EXPELLED, S.COMPLETED, S.WITHDRAWN),
                    group__start_date__lte=day, group__end_date__gte=day)
            .filter(Q(status=S.ENROLLED) | Q(ended__gte=day)))


def _territory(queryset, path: str, municipality_id: int | None):
    return queryset if municipality_id is None else queryset.filter(**{path: municipality_id})


def _percent(numerator, denominator):
    if not denominator or numerator is None:
        return None
    return round(100 * numerator / denominator, 1)


def _ratio(numerator, denominator):
    if not denominator or numerator is None:
        return None
    return round(numerator / denominator, 1)


def _age_band(day: dt.date):
    whens = [When(child__birth_date__gt=years_before(day, upper), then=Value(key))
             for key, _lower, upper in AGE_BANDS]
    return Case(*whens, default=Value(""), output_field=CharField())


def _funding():
    """How an enrolment is paid for: a social certificate, a certificate contract, the
    budget when the group has a free place line, else paid."""
    return Case(
        When(Exists(SocialCertificate.objects.filter(application=OuterRef("pk"))),
             then=Value(FundingSource.SOCIAL.value)),
        When(Exists(Contract.objects.filter(application=OuterRef("pk"))),
             then=Value(FundingSource.CERTIFICATE.value)),
        When(Exists(GroupFunding.objects.filter(group=OuterRef("group_id"),
                                                source=FundingSource.BUDGET)),
             then=Value(FundingSource.BUDGET.value)),
        default=Value(FundingSource.PAID.value), output_field=CharField())


def grouped_dimensions(day: dt.date) -> dict:
    """Breakdown -> the expression its rows are grouped by."""
    return {
        "direction": F(f"{PROGRAM}__direction"),
        "sex": F("child__sex"),
        "age_band": _age_band(day),
        "provider_kind": F(f"{ORGANIZATION}__kind"),
        "sector": F(f"{ORGANIZATION}__sector"),
        "funding": _funding(),
        "seasonal": F(f"{PROGRAM}__seasonal_kind"),
        "program_type": F(f"{PROGRAM}__program_type"),
    }


BREAKDOWNS = ("municipality", "direction", "sex", "age_band", "rural", "ovz", "disabled",
              "difficult_situation", "provider_kind", "sector", "funding", "level", "distance",
              "network", "seasonal", "program_type")


_TABLES = itertools.count(1)
# The live sets open in this thread's computation: (day, municipality_id or None, full,
# table). Per thread, like Django's connections: a temporary table exists only on the
# connection that made it, and a threaded server serves two requests on two connections.
_local = threading.local()


def _open() -> list[tuple[dt.date, int | None, bool, str]]:
    if not hasattr(_local, "sets"):
        _local.sets = []
    return _local.sets


def _flag(condition: Q):
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


@contextmanager
def live_set(day: dt.date, municipality_id: int | None = None, *, full: bool = True):
    """The live enrolments of ``day`` (``live_enrolments``) of a territory — those of its
    children and those at its providers — computed once into a temporary table that every
    count of the computation reads (docs/decisions.md): the child, the municipalities of
    residence and of the provider and, with ``full``, every breakdown's key. Reuses a set
    already open for the day that covers the territory. Yields the table's name."""
    for open_day, territory, open_full, table in reversed(_open()):
        if open_day == day and territory in (None, municipality_id) and (open_full or not full):
            yield table
            return
    queryset = live_enrolments(day).annotate(res=F(f"{RESIDENCE}_id"), prov=F(f"{PROVIDER}_id"))
    columns = ["child_id", "res", "prov"]
    if full:
        extra = {f"k_{name}": expression for name, expression in grouped_dimensions(day).items()}
        extra |= {f"f_{name}": _flag(condition) for name, condition in FLAGS.items()}
        extra |= {f"l_{level.value}": _flag(Q(**{f"{PROGRAM}__levels__in": with_bit(level.value)}))
                  for level in LEVELS}
        queryset = queryset.annotate(**extra)
        columns += list(extra)
    queryset = queryset.values(*columns).order_by()
    if municipality_id is not None:
        # its children, and the children at its providers: two indexed reads, not one
        # «either» condition that reads the whole region
        queryset = queryset.filter(res=municipality_id).union(
            queryset.filter(prov=municipality_id).exclude(res=municipality_id), all=True)
    sql, params = queryset.query.sql_with_params()
    table = f"monitoring_live_{next(_TABLES)}"
    with transaction.atomic(), connection.cursor() as cursor:
        # no ANALYZE: every statement on the table reads all of it (sorts and hashes for
        # which the planner's default estimates do as well), and analysing it cost ~0.3 s
        cursor.execute(f"CREATE TEMPORARY TABLE {table} AS {sql}", params)
        _open().append((day, municipality_id, full, table))
        try:
            yield table
        finally:
            _open().remove((day, municipality_id, full, table))
        cursor.execute(f"DROP TABLE {table}")


def _where(column: str, municipality_id: int | None) -> tuple[str, list]:
    return ("", []) if municipality_id is None else (f" WHERE {column} = %s", [municipality_id])


def _grouped(table: str, sets: dict[str, tuple[str, ...]], where: str = "", params=()) -> dict:
    """Distinct children of the live set per key of each set of columns: on PostgreSQL in
    one ``GROUP BY GROUPING SETS`` statement, elsewhere one grouped query per set (the
    same numbers). Returns name -> {key (the columns as text, one column: its value as
    text) -> children}."""
    found = {name: {} for name in sets}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = list(dict.fromkeys(column for group in sets.values() for column in group))
            listed = ", ".join(columns)
            grouping = ", ".join(f"({', '.join(group)})" for group in sets.values())
            cursor.execute(f"SELECT GROUPING({listed}), {listed}, COUNT(DISTINCT child_id) "
                           f"FROM {table}{where} GROUP BY GROUPING SETS ({grouping})", list(params))
            width = len(columns)
            by_columns = {frozenset(group): name for name, group in sets.items()}
            for grouping_bits, *values in cursor.fetchall():
                n = values.pop()
                # GROUPING() sets a bit, the first column highest, for each column not grouped
                grouped = {column for i, column in enumerate(columns)
                           if not grouping_bits >> (width - 1 - i) & 1}
                name = by_columns[frozenset(grouped)]
                key = tuple(str(values[columns.index(column)]) for column in sets[name])
                found[name][key[0] if len(key) == 1 else key] = n
            return found
        for name, group in sets.items():
            listed = ", ".join(group)
            cursor.execute(f"SELECT {listed}, COUNT(DISTINCT child_id) FROM {table}{where} "
                           f"GROUP BY {listed}", list(params))
            for *values, n in cursor.fetchall():
                key = tuple(str(value) for value in values)
                found[name][key[0] if len(key) == 1 else key] = n
    return found


def coverage(day: dt.date, municipality_id: int | None = None, view: str = "residence",
             breakdowns: bool = True) -> dict:
    """Children of a territory (``None``: the region) with a live enrolment on ``day``:
    the total, and with ``breakdowns`` the rows of each breakdown (key -> children)."""
    column = {"residence": "res", "provider": "prov"}[view]
    where, params = _where(column, municipality_id)
    with live_set(day, municipality_id, full=breakdowns) as table, connection.cursor() as cursor:
        if not breakdowns:
            cursor.execute(f"SELECT COUNT(DISTINCT child_id) FROM {table}{where}", params)
            return {"children": cursor.fetchone()[0], "breakdowns": {}}
        # the yes/no breakdowns: one row per child first, then summed (one pass, no
        # COUNT(DISTINCT) per flag)
        flags = [f"f_{name}" for name in FLAGS] + [f"l_{level.value}" for level in LEVELS]
        cursor.execute(
            f"SELECT COUNT(*), {', '.join(f'COALESCE(SUM({flag}), 0)' for flag in flags)} FROM "
            f"(SELECT {', '.join(f'MAX({flag}) AS {flag}' for flag in flags)} "
            f"FROM {table}{where} GROUP BY child_id) per_child", params)
        total, *counts = cursor.fetchone()
        counted = dict(zip(flags, counts, strict=True))
        result = {"children": total, "breakdowns": {}}
        rows = result["breakdowns"]
        for name in FLAGS:
            rows[name] = {"yes": counted[f"f_{name}"]}
            if name in CHILD_FLAGS:
                rows[name]["no"] = total - counted[f"f_{name}"]
        rows["level"] = {str(level.value): counted[f"l_{level.value}"] for level in LEVELS}
        sets = {name: (f"k_{name}",) for name in grouped_dimensions(day)}
        sets["municipality"] = (column,)
        rows.update(_grouped(table, sets, where, params))
    return result


def population(year: int, municipality_id: int | None = None) -> int | None:
    """Children 5–17 living in the territory in ``year``; None when no figure is entered
    (for the region: when a municipality has none)."""
    rows = MunicipalityPopulation.objects.filter(year=year)
    if municipality_id is not None:
        value = rows.filter(municipality_id=municipality_id).values_list("children_5_17", flat=True)
        return next(iter(value), None)
    figures = rows.aggregate(total=Sum("children_5_17"), n=Count("pk"))
    return figures["total"] if figures["n"] else None


def certificates(day: dt.date, municipality_id: int | None = None) -> dict:
    """Children 5–17 living in the territory holding on ``day`` a certificate issued on or
    before it, and those with a financing certificate or a social certificate."""
    issued = Certificate.objects.filter(
        child=OuterRef("pk"), status__in=(CertificateStatus.ISSUED, CertificateStatus.FROZEN),
        decided_at__date__lte=day)
    financing = issued.filter(Q(kind=CertificateKind.FINANCING) | Q(
        Exists(SocialCertificate.objects.filter(certificate=OuterRef("pk"),
                                                issued_at__date__lte=day))))
    children = _territory(Child.objects.filter(age_q(day, "")), "municipality_id", municipality_id)
    # a financing certificate is an issued one: counted among the children holding any,
    # which the planner may then find from the certificates (a semi-join) instead of
    # testing every child of the territory
    return children.filter(Exists(issued)).aggregate(
        any=Count("pk"), financing=Count("pk", filter=Q(Exists(financing))))


def certificate_use(day: dt.date, municipality_id: int | None = None) -> dict:
    """Certificates of the territory issued on or before ``day`` (issued or frozen now) by
    the number of their contracts in force on ``day`` — 0, 1, 2, more — and the money of
    the financing periods that contain ``day``: the ledgers' nominal against what is used
    (committed: reserved and paid). The ledgers keep no history, so the money is their state when
    computed; a snapshot freezes it."""
    in_force = (Contract.objects.filter(certificate=OuterRef("pk"), signed_on__lte=day,
                                        ends_on__gte=day)
                .exclude(status=ContractStatus.REFUSED)
                .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gt=day))
                .order_by().values("certificate").annotate(n=Count("pk")).values("n"))
    issued = _territory(Certificate.objects.filter(
        status__in=(CertificateStatus.ISSUED, CertificateStatus.FROZEN), decided_at__date__lte=day),
        "municipality_id", municipality_id).annotate(
        n=Coalesce(Subquery(in_force, output_field=IntegerField()), Value(0)))
    counts = issued.aggregate(issued=Count("pk"), zero=Count("pk", filter=Q(n=0)),
                              one=Count("pk", filter=Q(n=1)), two=Count("pk", filter=Q(n=2)),
                              more=Count("pk", filter=Q(n__gt=2)))
    money = _territory(CertificateLedger.objects.filter(period__starts_on__lte=day,
                                                        period__ends_on__gte=day),
                       "period__municipality_id", municipality_id).aggregate(
        nominal=Sum("nominal"), used=Sum("committed"))
    nominal = money["nominal"] or 0
    used = money["used"] or 0
    # JSON keeps money as text (a snapshot stores these values), exact to the kopeck
    return {**counts, "nominal": f"{nominal:.2f}", "used": f"{used:.2f}"}


def programs(day: dt.date, municipality_id: int | None = None) -> dict:
    """Published programs of the territory's providers (published on or before ``day``)
    by direction, level and form of study."""
    published = _territory(
        Program.objects.filter(status=ProgramStatus.PUBLISHED, published_at__date__lte=day),
        "organization__municipality_id", municipality_id)
    counts = {"total": Count("pk")}
    for level in LEVELS:
        counts[f"level_{level.value}"] = Count(
            "pk", filter=Q(levels__in=with_bit(level.value)))
    counts["distance"] = Count("pk", filter=Q(is_distance=True))
    counts["network"] = Count("pk", filter=Q(is_network=True))
    totals = published.aggregate(**counts)
    by_direction = {row["direction"]: row["n"] for row in
                    published.values("direction").annotate(n=Count("pk")).order_by("direction")}
    by_form = {row["study_form"]: row["n"] for row in
               published.values("study_form").annotate(n=Count("pk")).order_by("study_form")}
    return {
        "total": totals["total"],
        "stem": sum(by_direction.get(d, 0) for d in STEM),
        "direction": by_direction,
        "level": {str(level.value): totals[f"level_{level.value}"] for level in LEVELS},
        "study_form": by_form,
        "distance": totals["distance"],
        "network": totals["network"],
    }


def places(day: dt.date, municipality_id: int | None = None) -> dict:
    """Per direction: places in the groups studying on ``day`` and the applications
    waiting for them now (new, waitlisted, awaiting a contract)."""
    groups = _territory(
        Group.objects.filter(is_active=True, start_date__lte=day, end_date__gte=day),
        "module__program__organization__municipality_id", municipality_id)
    seats = {row["direction"]: {"places": row["places"] or 0, "taken": row["taken"] or 0}
             for row in groups.values(direction=F("module__program__direction"))
             .annotate(places=Sum("capacity_max"), taken=Sum("seats_taken")).order_by("direction")}
    waiting = _territory(
        Application.objects.filter(status__in=(S.NEW, S.WAITLISTED, S.AWAITING_CONTRACT)),
        f"{PROVIDER}_id", municipality_id)
    for row in (waiting.values(direction=F(f"{PROGRAM}__direction"))
                # counting the child (never null) rather than the row lets PostgreSQL
                # read the group's applications from its covering index alone
                .annotate(applications=Count("child"),
                          waitlisted=Count("child", filter=Q(status=S.WAITLISTED)))
                .order_by("direction")):
        seats.setdefault(row["direction"], {"places": 0, "taken": 0}).update(
            applications=row["applications"], waitlisted=row["waitlisted"])
    return seats


def teachers(municipality_id: int | None = None) -> dict:
    """Teachers working now at the territory's active providers (the registry keeps no
    history of teachers, so this figure is always today's)."""
    working = _territory(Teacher.objects.filter(is_active=True, organization__is_active=True),
                         "organization__municipality_id", municipality_id)
    return working.aggregate(
        total=Count("pk"),
        categorised=Count("pk", filter=Q(category__in=(QualificationCategory.FIRST,
                                                       QualificationCategory.HIGHEST))))


def targets(year: int, municipality_id: int | None = None) -> dict:
    """Indicator -> target for the year: the municipality's own, else the region's
    default, else the built-in one (``DEFAULT_TARGETS``)."""
    found = {code.value: value for code, value in DEFAULT_TARGETS.items()}
    rows = IndicatorTarget.objects.filter(year=year).filter(
        Q(municipality__isnull=True) | Q(municipality_id=municipality_id)
    ).order_by(F("municipality_id").asc(nulls_first=True))
    for row in rows:
        found[row.indicator] = row.value
    return {code: float(value) for code, value in found.items()}


def headline(day: dt.date, municipality_id: int | None = None, *, with_breakdowns=True) -> dict:
    """The indicators of a territory on ``day``: each with numerator, denominator and value."""
    people = population(day.year, municipality_id)
    with live_set(day, municipality_id, full=with_breakdowns):
        residence = coverage(day, municipality_id, "residence", breakdowns=with_breakdowns)
        provider = coverage(day, municipality_id, "provider", breakdowns=False)
    certs = certificates(day, municipality_id)
    use = certificate_use(day, municipality_id)
    progs = programs(day, municipality_id)
    staff = teachers(municipality_id)
    indicators = {
        Indicator.COVERAGE: (residence["children"], people, _percent),
        Indicator.COVERAGE_BY_PROVIDER: (provider["children"], people, _percent),
        Indicator.CERTIFICATES: (certs["any"], people, _percent),
        Indicator.FINANCING_CERTIFICATES: (certs["financing"], people, _percent),
        Indicator.CERTIFICATES_USED: (use["issued"] - use["zero"], use["issued"], _percent),
        Indicator.TECHNICAL_PROGRAMS: (progs["stem"], progs["total"], _percent),
        Indicator.TEACHER_CATEGORY: (staff["categorised"], staff["total"], _percent),
        Indicator.CHILDREN_PER_TEACHER: (residence["children"], staff["total"], _ratio),
        Indicator.GIFTED: (gifted_count(day, municipality_id), people, _percent),
    }
    for code, figure in FIGURES.items():
        indicators[code] = (*figure(day, municipality_id), _percent)
    result = {
        "date": day.isoformat(),
        "municipality": municipality_id,
        "population": people,
        "indicators": {code.value: {"numerator": numerator, "denominator": denominator,
                                    "value": measure(numerator, denominator)}
                       for code, (numerator, denominator, measure) in indicators.items()},
    }
    if with_breakdowns:
        result["breakdowns"] = residence["breakdowns"]
        result["provider_children"] = provider["children"]
        result["programs"] = progs
        result["places"] = places(day, municipality_id)
        result["certificate_use"] = use
    return result


def by_municipality(day: dt.date) -> list[dict]:
    """Every municipality of the region side by side: population, children covered (by
    residence and by the provider's municipality), certificates — a fixed number of
    grouped queries whatever the number of municipalities."""
    with live_set(day, None) as table:
        counted = _grouped(table, {"residence": ("res",), "provider": ("prov",),
                                   "direction": ("res", "k_direction")})
    residence = {int(key): n for key, n in counted["residence"].items()}
    provider = {int(key): n for key, n in counted["provider"].items()}
    people = dict(MunicipalityPopulation.objects.filter(year=day.year)
                  .values_list("municipality_id", "children_5_17"))
    issued = Certificate.objects.filter(
        child=OuterRef("pk"), status__in=(CertificateStatus.ISSUED, CertificateStatus.FROZEN),
        decided_at__date__lte=day)
    certified = dict(Child.objects.filter(age_q(day, "")).filter(Exists(issued))
                     .values_list("municipality_id").annotate(n=Count("pk")).order_by())
    direction = defaultdict(dict)
    for (municipality_id, key), n in counted["direction"].items():
        direction[int(municipality_id)][key] = n
    rows = []
    for municipality in Municipality.objects.order_by("name").only("pk", "name"):
        pk = municipality.pk
        rows.append({
            "id": pk, "name": municipality.name, "population": people.get(pk),
            "children": residence.get(pk, 0), "provider_children": provider.get(pk, 0),
            "coverage": _percent(residence.get(pk, 0), people.get(pk)),
            "coverage_by_provider": _percent(provider.get(pk, 0), people.get(pk)),
            "certificates": certified.get(pk, 0),
            "certificates_share": _percent(certified.get(pk, 0), people.get(pk)),
            "direction": direction.get(pk, {}),
        })
    return rows


@contextmanager
def _without_jit():
    """PostgreSQL compiles a statement whose estimated cost is high (as these aggregates'
    are) with JIT, which costs about a second each and saves nothing on them: it is
    switched off for the transaction of the computation (docs/decisions.md)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        # the sorts of COUNT(DISTINCT) over a municipality's live set (~50,000 rows) fit
        # in memory instead of spilling to disk at the default 4 MB
        cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


def compute(day: dt.date, municipality_id: int | None = None) -> dict:
    """Everything a snapshot freezes for a territory and a date: the indicators with
    their targets and last year's values on the same date, the breakdowns, and for the
    region every municipality side by side."""
    with _without_jit():
        return _compute(day, municipality_id)


def _compute(day: dt.date, municipality_id: int | None) -> dict:
    with live_set(day, municipality_id):
        result = headline(day, municipality_id)
        if municipality_id is None:
            result["municipalities"] = by_municipality(day)
    result["targets"] = targets(day.year, municipality_id)
    result["last_year"] = {
        code: values["value"] for code, values in
        headline(years_before(day, 1), municipality_id, with_breakdowns=False)["indicators"].items()}
    return result
