"""The catalog query: filters, facet counts, sort and page over the catalog index.

One module builds the SQL that the page, the API and the benchmark run, so they run
the same statements. A search costs a fixed number of queries whatever the page
size: the names of municipalities and specialisations with the catalog's version, the
reading of the typed text (when there is one), one statement for the facet counts, the
total and the ids of the page (``Catalog.statement``: a text search's matched set is
built once in it), and the cards of the page's programs (``cards``: plain values of one
narrow statement, not model instances). The counts of a broad search are cached until
the catalog changes (``search_catalog``).

Facet counts follow the usual convention of faceted search: the count of a choice is
the number of programs the current search gives with that choice as the field's only
value, all other filters kept. For a field nothing is chosen in, that is the current
search narrowed by the choice; for a field with choices made, its own filter is left
out (so the other choices of a multi-choice field show what picking one of them
instead would give). The text query, the organization and the price limit are not
facets and always apply.

The counts come from one statement: the filtered rows are grouped a few times at once
(GROUPING SETS on PostgreSQL, UNION ALL on SQLite) on small combined keys (the
direction, levels, payment and rural flag together; the ages with the forms; …),
and Python adds up each choice's bits; each field with a filter set adds one grouped
part of its own without that filter.
"""

import datetime
import functools
import hashlib
import itertools
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from opora import rows
from opora.navigator import codes, search
from opora.navigator.filters import Filters
from opora.navigator.models import CatalogEntry
from opora.registry import images
from opora.registry.choices import Direction, ProgramStatus
from opora.registry.models import Municipality, Organization, Program, Specialisation

ENTRY = "navigator_catalogentry"
# grouping keys: facet field -> the entry columns its counts come from
KEYS = {
    "direction": ["direction"], "level": ["levels"], "payment": ["payment"], "rural": ["is_rural"],
    "age": ["age_min", "age_max"], "form": ["forms"],
    "ovz": ["ovz_kinds"], "seasonal": ["seasonal"], "free_seats": ["has_free"], "open": ["open_now"],
    "municipality": ["municipality_id"], "specialisation": ["specialisation_id"],
}
# fields grouped together in one pass (each tuple is one grouping set)
SETS = (("direction", "level", "payment", "rural"), ("age", "form"),
        ("ovz", "seasonal", "free_seats", "open"), ("municipality", "specialisation"))
COLUMNS = [c for fields in SETS for name in fields for c in KEYS[name]]
ROW_COLUMNS = ["program_id", "municipality_id", "specialisation_id", "direction", "levels", "forms",
               "payment", "ovz_kinds", "seasonal", "is_rural", "age_min", "age_max", "free_seats"]
# what a text search keeps of each entry it finds (with whether enrolment is open now)
SOURCE_COLUMNS = [*ROW_COLUMNS, "organization_id", "title", "min_price", "next_start"]
# a search is broad when it reads at least this share of the catalog: its facet counts
# are cached (``search_catalog``)
BROAD_SHARE = 0.25
# the longest the catalog's size and next enrolment change are kept for a version
FACTS_SECONDS = 3600
FLAG_FACETS = {"direction": codes.DIRECTIONS, "level": codes.LEVELS, "payment": codes.PAYMENTS,
               "form": codes.FORMS, "ovz": codes.OVZ, "seasonal": codes.SEASONAL}
BOOLEAN_FACETS = {"rural": _("Сельская местность"), "free_seats": _("Есть свободные места"),
                  "open": _("Идёт запись")}


@dataclass
class FacetChoice:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class CatalogPage:
    filters: Filters
    count: int
    items: list
    facets: dict[str, list[FacetChoice]] = field(default_factory=dict)
    corrections: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    # filters read from the typed text: (parameter, label), each a removable chip
    understood: list[tuple[str, str]] = field(default_factory=list)
    # facets of a broad search, cached: their key and until when (epoch seconds) they
    # hold, so what is rendered of them alone can be kept as long
    facets_key: str | None = None
    facets_until: float = 0.0

    @property
    def page(self):
        return self.filters.page

    @property
    def pages(self):
        return max(1, math.ceil(self.count / self.filters.size))


class Catalog:
    """The catalog for one set of filters."""

    def __init__(self, filters: Filters, now=None, synonyms=None):
        self.filters = filters
        self.now = now or timezone.now()
        self.postgres = connection.vendor == "postgresql"
        self.text = search.prepare(filters.q, synonyms) if filters.q else None
        if self.text is not None and self.text.empty:
            self.text = None

    # --- conditions ---------------------------------------------------------------

    def _open_now(self, e="e"):
        now = connection.ops.adapt_datetimefield_value(self.now)
        if self.postgres:
            # the interval kept at the last refresh answers, unless it has ended since
            return (f"(({e}.open_from <= %s AND %s < {e}.open_until) OR ({e}.open_until <= %s "
                    f"AND COALESCE({e}.enrolment_windows @> %s::timestamptz, false)))", [now] * 4)
        today = connection.ops.adapt_datefield_value(timezone.localdate(self.now))
        return (f"EXISTS (SELECT 1 FROM registry_group g JOIN registry_module m ON m.id = g.module_id "
                f"WHERE m.program_id = {e}.program_id AND g.is_active AND g.enrolment_open "
                "AND (g.enrolment_from IS NULL OR g.enrolment_from <= %s) "
                "AND (g.enrolment_to IS NULL OR g.enrolment_to > %s) AND g.end_date >= %s)",
                [now, now, today])

    def facet_conditions(self, over_rows=False) -> dict[str, tuple[str, list]]:
        """The condition of each facet field that has a filter set (``over_rows``: on the
        ``rows`` of ``facets_sql``, where whether enrolment is open is already known)."""
        f = self.filters
        found = {}
        if f.municipality:
            found["municipality"] = ("e.municipality_id = %s", [f.municipality])
        if f.specialisation:
            found["specialisation"] = ("e.specialisation_id = %s", [f.specialisation])
        if f.age is not None:
            found["age"] = ("e.age_min <= %s AND e.age_max >= %s", [f.age, f.age])
        for name, column in (("direction", "direction"), ("level", "levels"), ("form", "forms"),
                             ("payment", "payment"), ("ovz", "ovz_kinds"), ("seasonal", "seasonal")):
            mask = getattr(f, name)
            if mask:
                found[name] = (f"(e.{column} & %s) <> 0", [mask])
        if f.rural:
            found["rural"] = ("e.is_rural = %s", [True])
        if f.free_seats:
            found["free_seats"] = ("e.free_seats > 0", [])
        if f.open:
            found["open"] = ("e.open_now", []) if over_rows else self._open_now()
        return found

    def base_conditions(self) -> list[tuple[str, list]]:
        """Conditions that are not facets: they narrow every count."""
        f = self.filters
        found = []
        if f.organization:
            found.append(("e.organization_id = %s", [f.organization]))
        if f.max_price is not None:
            found.append(("e.min_price <= %s", [connection.ops.adapt_decimalfield_value(f.max_price, 14, 2)]))
        return found

    def source(self, rank=False, kept=True) -> tuple[str, str, list]:
        """``(CTE or "", relation, params)``: the catalog rows a search reads. With typed
        text, the entries of the programs it finds, with what ranks them
        (``search.matched_sql``) and whether enrolment is open now, kept once
        (``matched``, materialized) for the facets and the page alike; read by the page
        alone (``kept`` false), the planner runs it inline, with no copy written."""
        if self.text is None:
            return "", ENTRY, []
        open_sql, open_params = self._open_now()
        sql, params = search.matched_sql(self.text, SOURCE_COLUMNS, rank=rank,
                                         extra=(f"{open_sql} AS open_now", open_params))
        return f"matched AS {'' if kept else 'NOT '}MATERIALIZED ({sql})", "matched", params

    def conditions(self) -> list[tuple[str, list]]:
        """Every condition of the search over the rows of ``source``."""
        return [*self.base_conditions(), *self.facet_conditions(over_rows=self.text is not None).values()]

    @staticmethod
    def _where(conditions) -> tuple[str, list]:
        conditions = list(conditions)
        if not conditions:
            return "", []
        return " WHERE " + " AND ".join(f"({sql})" for sql, _ in conditions), [
            p for _, params in conditions for p in params]

    # --- the statement ------------------------------------------------------------

    def statement(self, counts: str = "facets", page: bool = True) -> tuple[str, list]:
        """One statement for the whole search, its rows tagged by their first column:
        ``counts`` "facets" gives the grouped facet rows (tags ``set0``…, a field's
        name) and the size of the matched set (``matched``), "total" the total alone
        (``total``), "" nothing; ``page`` adds the page's program ids in order
        (``page``, the id last). The matched set of a text search is built once."""
        f = self.filters
        relevance = f.order == "relevance" and self.text is not None
        source, relation, params = self.source(rank=relevance and page, kept=bool(counts))
        ctes = [source] if source else []
        parts: list[tuple[str, list]] = []
        nulls = ", ".join(["NULL"] * len(COLUMNS))
        if counts == "facets":
            rows, rows_params, parts = self._facet_parts(relation)
            ctes.append(rows)
            params += rows_params
            if self.text is not None:
                parts.append((f"SELECT 'matched', {nulls}, COUNT(*) FROM matched", []))
        elif counts == "total":
            where, where_params = self._where(self.conditions())
            parts.append((f"SELECT 'total', {nulls}, COUNT(*) FROM {relation} e{where}", where_params))
        if page:
            where, where_params = self._where(self.conditions())
            order = {
                "title": "e.title, e.program_id",
                "start": "e.next_start ASC NULLS LAST, e.title, e.program_id",
            }.get(f.order, "e.title, e.program_id")
            if relevance:
                order = search.RANK_ORDER
            join, order_params = "", []
            if f.order == "distance":
                join, distance, order_params = distance_sql(f.near)
                order = f"{distance} ASC NULLS LAST, e.next_start ASC NULLS LAST, e.title, e.program_id"
            parts.append((f"SELECT 'page', {nulls}, p.program_id FROM (SELECT e.program_id FROM {relation} e"
                          f"{join}{where} ORDER BY {order} LIMIT %s OFFSET %s) p",
                          [*where_params, *order_params, f.size, (f.page - 1) * f.size]))
        prefix = f"WITH {', '.join(ctes)} " if ctes else ""
        return (prefix + " UNION ALL ".join(sql for sql, _ in parts),
                params + [p for _, part_params in parts for p in part_params])

    def _facet_parts(self, relation) -> tuple[str, list, list[tuple[str, list]]]:
        """The ``rows`` CTE (the searched rows with the derived flags) and the grouped
        parts over it: per grouping set, plus one per filtered field without its own
        filter."""
        own = self.facet_conditions(over_rows=True)
        open_sql, open_params = ("e.open_now", []) if self.text is not None else self._open_now()
        base_where, base_params = self._where(self.base_conditions())
        # Each part reads the rows again rather than a copy: a scan of the narrow index
        # costs less than writing it out (a text search's rows are already kept once).
        rows = (f"rows AS NOT MATERIALIZED (SELECT {', '.join('e.' + c for c in ROW_COLUMNS)}, "
                f"(e.free_seats > 0) AS has_free, {open_sql} AS open_now FROM {relation} e{base_where})")

        def select(tag, keys, conditions):
            where, where_params = self._where(conditions)
            columns = ", ".join(f"e.{c}" if c in keys else "NULL" for c in COLUMNS)
            group = ", ".join(f"e.{c}" for c in keys)
            return f"SELECT '{tag}', {columns}, COUNT(*) FROM rows e{where} GROUP BY {group}", where_params

        parts = []
        everything = list(own.values())
        if self.postgres:
            where, where_params = self._where(everything)
            tag = "CASE " + " ".join(
                f"WHEN GROUPING(e.{KEYS[fields[0]][0]}) = 0 THEN 'set{n}'" for n, fields in enumerate(SETS)
            ) + " END"
            sets = ", ".join("(" + ", ".join(f"e.{c}" for name in fields for c in KEYS[name]) + ")"
                             for fields in SETS)
            parts.append((f"SELECT {tag}, {', '.join('e.' + c for c in COLUMNS)}, COUNT(*) FROM rows e"
                          f"{where} GROUP BY GROUPING SETS ({sets})", where_params))
        else:
            for n, fields in enumerate(SETS):
                parts.append(select(f"set{n}", [c for name in fields for c in KEYS[name]], everything))
        for name in own:
            others = [condition for other, condition in own.items() if other != name]
            parts.append(select(name, KEYS[name], others))
        return rows, [*open_params, *base_params], parts

    def run(self, counts: str = "facets", page: bool = True) -> tuple[list, list[int]]:
        """``(count rows, page ids)`` of ``statement``."""
        sql, params = self.statement(counts, page)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [row for row in rows if row[0] != "page"], [row[-1] for row in rows if row[0] == "page"]

    # --- facets -------------------------------------------------------------------

    def counts(self, rows) -> dict:
        """Per facet field, the count of each value (a bit, an age, an id, or ``True``
        for a yes/no field) from the grouped rows of ``statement``, and the total
        (``None``): what is kept in the cache for a broad search."""
        own = set(self.facet_conditions(over_rows=True))
        # part tag -> the facet fields whose counts it gives
        targets = {f"set{n}": [name for name in fields if name not in own] for n, fields in enumerate(SETS)}
        targets.update({name: [name] for name in own})
        at = {column: n + 1 for n, column in enumerate(COLUMNS)}
        counts = {name: defaultdict(int) for name in KEYS}
        total = 0
        for row in rows:
            tag, count = row[0], row[-1]
            if tag == "set0":
                total += count
            for name in targets.get(tag, ()):
                found = counts[name]
                if name in FLAG_FACETS:
                    value = row[at[KEYS[name][0]]]
                    for choice in FLAG_FACETS[name]:
                        if value & choice.bit:
                            found[choice.bit] += count
                elif name == "age":
                    for age in range(max(row[at["age_min"]], codes.AGES[0]),
                                     min(row[at["age_max"]], codes.AGES[-1]) + 1):
                        found[age] += count
                elif name in BOOLEAN_FACETS:
                    if row[at[KEYS[name][0]]]:
                        found[True] += count
                else:
                    found[row[at[KEYS[name][0]]]] += count
        return {None: total, **{name: dict(found) for name, found in counts.items()}}

    def choices(self, counts, labels) -> dict[str, list[FacetChoice]]:
        """Each facet's choices, labelled, with their counts (``counts``)."""
        f = self.filters
        result = {}
        for name, choices in FLAG_FACETS.items():
            mask, found = getattr(f, name), counts[name]
            result[name] = [FacetChoice(c.code, c.label, found.get(c.bit, 0), bool(mask & c.bit)) for c in choices]
        result["age"] = [FacetChoice(str(a), str(a), counts["age"].get(a, 0), f.age == a) for a in codes.AGES]
        for name, label in BOOLEAN_FACETS.items():
            result[name] = [FacetChoice("1", label, counts[name].get(True, 0), bool(getattr(f, name)))]
        for name in ("municipality", "specialisation"):
            chosen, found = getattr(f, name), counts[name]
            result[name] = [FacetChoice(str(pk), label, found.get(pk, 0), chosen == pk)
                            for pk, label in labels[name]]
        return result

    # --- the map ------------------------------------------------------------------

    def organizations_sql(self) -> tuple[str, list]:
        """The organizations of the found programs, with how many each has: the map."""
        where, params = self._where(self.conditions())
        source, relation, source_params = self.source()
        prefix = f"WITH {source} " if source else ""
        return (f"{prefix}SELECT e.organization_id, COUNT(*) FROM {relation} e{where} "
                "GROUP BY e.organization_id", [*source_params, *params])

    def organization_counts(self) -> dict[int, int]:
        sql, params = self.organizations_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return dict(cursor.fetchall())


def distance_sql(point: tuple[float, float]) -> tuple[str, str, list]:
    """The join to the organization and the square of its distance from ``point`` in
    degrees of latitude (an equirectangular approximation, plain arithmetic that both
    databases run: within a region it orders as the true distance does)."""
    latitude, longitude = point
    scale = math.cos(math.radians(latitude))
    join = " LEFT JOIN registry_organization o ON o.id = e.organization_id"
    distance = ("((o.latitude - %s) * (o.latitude - %s) "
                "+ (o.longitude - %s) * %s * (o.longitude - %s) * %s)")
    return join, distance, [latitude, latitude, longitude, scale, longitude, scale]


def kilometres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance between two points, km (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def facet_labels() -> dict[str, list[tuple[int, str]]]:
    """Names of municipalities and specialisations for their facets, the entries of
    the search dictionary (``synonym``) and the catalog's version (``version``: the
    last refresh of the index, ``index.changed``), in one query."""
    labels = {"municipality": [], "specialisation": [], "synonym": [], "version": []}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'municipality', id, name, '' FROM registry_municipality "
            "UNION ALL SELECT 'specialisation', id, name, direction FROM registry_specialisation "
            "UNION ALL SELECT 'synonym', id, variants, '' FROM navigator_searchsynonym "
            "UNION ALL SELECT 'version', COALESCE(MAX(id), 0), '', '' FROM navigator_catalogchange "
            "ORDER BY 1, 3")
        for kind, pk, name, _direction in cursor.fetchall():
            labels[kind].append((pk, name))
    return labels


# --- facets of broad searches, kept until the catalog changes -------------------------


# the catalog's version as this process last read it: (time.monotonic() of the read, version)
_version_read = [(-math.inf, 0)]
# a number drawn anew by each ``forget_version``: a read begun before one is not kept
_forgotten = [0]
_draws = itertools.count(1)


def version() -> int:
    """The catalog's version (``CatalogChange``), alone: what a kept page is checked by.
    Read at most once per ``OPORA_CATALOG_VERSION_SECONDS`` by a process, so a kept
    page or answer costs no statement; a change made by this process is seen at once
    (``forget_version``), one made by another process at most that long after."""
    read_at, known = _version_read[0]
    now = time.monotonic()
    if now - read_at < settings.OPORA_CATALOG_VERSION_SECONDS:
        return known
    drawn = _forgotten[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM navigator_catalogchange")
        found = cursor.fetchone()[0]
    if _forgotten[0] == drawn:  # else another thread's change committed meanwhile
        _version_read[0] = (now, found)
    return found


def forget_version() -> None:
    """The next ``version`` reads the catalog's version again."""
    _forgotten[0] = next(_draws)
    _version_read[0] = (-math.inf, 0)


def catalog_facts(version: int, now) -> tuple[int, object]:
    """``(programs in the catalog, the next moment enrolment opens or closes in one of
    them)`` at ``version``, counted once per version and process, and again once that
    moment has passed (else nothing would be kept until the entry's hour is up)."""
    key = f"navigator:facts:{version}"
    found = cache.get(key)
    if found is None or (found[1] is not None and found[1] <= now):
        moment = connection.ops.adapt_datetimefield_value(now)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # the kept interval's ends; once it has ended, the ends of the windows
                cursor.execute(
                    "SELECT COUNT(*), MIN(CASE WHEN e.open_from > %s THEN e.open_from "
                    "WHEN e.open_until > %s AND e.open_until < 'infinity' THEN e.open_until "
                    "WHEN e.open_until <= %s THEN (SELECT MIN(b) FROM unnest(e.enrolment_windows) r, "
                    "LATERAL (VALUES (lower(r)), (upper(r))) v(b) WHERE b > %s AND b < 'infinity') END) "
                    "FROM navigator_catalogentry e", [moment] * 4)
                size, change = cursor.fetchone()
            else:
                cursor.execute(
                    "SELECT (SELECT COUNT(*) FROM navigator_catalogentry), MIN(b) FROM ("
                    "SELECT enrolment_from AS b FROM registry_group WHERE enrolment_from > %s "
                    "UNION ALL SELECT enrolment_to FROM registry_group WHERE enrolment_to > %s) t",
                    [moment, moment])
                size, change = cursor.fetchone()
                change = parse_datetime(change) if change else None
                if change is not None and timezone.is_naive(change):
                    change = timezone.make_aware(change, datetime.UTC)
        found = (size, change)
        cache.set(key, found, FACTS_SECONDS)
    return found


def _facets_key(catalog: "Catalog", version: int) -> str:
    """The cache key of a search's facet counts: the catalog's version, the filters
    that count (not the page, the sort, the point) and the terms read from the text."""
    f = catalog.filters.but(page=1, page_size=0, sort="", near=None, q="")
    terms = [t.alternatives for t in catalog.text.terms] if catalog.text else []
    digest = hashlib.sha1(repr((f, terms)).encode()).hexdigest()
    return f"navigator:facets:{version}:{digest}"


def seconds_until(now, change) -> int:
    """How long counts of ``now`` hold: until enrolment opens or closes somewhere, and
    at most until the next local midnight (groups that ended stop counting)."""
    tomorrow = datetime.datetime.combine(timezone.localdate(now) + datetime.timedelta(days=1), datetime.time(),
                                         tzinfo=timezone.get_current_timezone())
    until = min(tomorrow, change) if change is not None else tomorrow
    return max(0, int((until - now).total_seconds()))


@dataclass(eq=False)
class Card:
    """What a result card and an item of the API's list show of a program, as plain
    values (``cards``). The view adds what it works out for the card (links, the start's
    line) as further attributes."""

    pk: int
    title: str
    direction: str  # Direction's value, not the entry's bit
    photo: str  # the stored photo's name, "" when there is none
    age_min: int
    age_max: int
    organization_id: int
    organization_name: str
    latitude: float | None
    longitude: float | None
    municipality: str
    specialisation: str | None
    levels: int  # the entry's bits (``codes``)
    forms: int
    payment: int
    min_price: Decimal | None
    min_paid_price: Decimal | None
    next_start: datetime.date | None
    free_seats: int

    @classmethod
    def of(cls, program: Program) -> "Card":
        """The card of a program read with its organization (and its municipality), its
        specialisation and its catalog entry: the program's page and API answer."""
        entry, organization = program.catalog_entry, program.organization
        return cls(
            pk=program.pk, title=program.title, direction=program.direction,
            photo=program.photo.name if program.photo else "", age_min=program.age_min,
            age_max=program.age_max, organization_id=program.organization_id,
            organization_name=organization.short_name, latitude=organization.latitude,
            longitude=organization.longitude, municipality=organization.municipality.name,
            specialisation=program.specialisation.name if program.specialisation else None,
            levels=entry.levels, forms=entry.forms, payment=entry.payment, min_price=entry.min_price,
            min_paid_price=entry.min_paid_price, next_start=entry.next_start, free_seats=entry.free_seats)

    @property
    def direction_label(self):
        return DIRECTION_LABELS.get(self.direction, self.direction)

    @property
    def card_picture(self) -> str:
        return images.picture_url_of(self.photo, self.direction, "card")

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


DIRECTION_LABELS = dict(Direction.choices)
# Card's fields -> the (model, field) each is read from
CARD_FIELDS = {
    "pk": (Program, "id"), "title": (Program, "title"), "direction": (Program, "direction"),
    "photo": (Program, "photo"), "age_min": (Program, "age_min"), "age_max": (Program, "age_max"),
    "organization_id": (Program, "organization"), "organization_name": (Organization, "short_name"),
    "latitude": (Organization, "latitude"), "longitude": (Organization, "longitude"),
    "municipality": (Municipality, "name"), "specialisation": (Specialisation, "name"),
    "levels": (CatalogEntry, "levels"), "forms": (CatalogEntry, "forms"), "payment": (CatalogEntry, "payment"),
    "min_price": (CatalogEntry, "min_price"), "min_paid_price": (CatalogEntry, "min_paid_price"),
    "next_start": (CatalogEntry, "next_start"), "free_seats": (CatalogEntry, "free_seats"),
}


@functools.cache
def _card_statement() -> tuple[str, list | None]:
    """The cards' SELECT up to its list of ids and the columns it reads (``rows.columns``,
    in the order of Card's fields) when their values need converting (SQLite), else
    None; made once per process."""
    columns = []
    for name in Card.__dataclass_fields__:
        model, field_name = CARD_FIELDS[name]
        columns.extend(rows.columns(model, [field_name]))
    select = ", ".join(f"{c[0].model._meta.db_table}.{c[0].column}" for c in columns)
    sql = (f"SELECT {select} FROM {ENTRY} "
           f"JOIN registry_program ON registry_program.id = {ENTRY}.program_id "
           "JOIN registry_organization ON registry_organization.id = registry_program.organization_id "
           "JOIN registry_municipality ON registry_municipality.id = registry_organization.municipality_id "
           "LEFT JOIN registry_specialisation ON registry_specialisation.id = registry_program.specialisation_id "
           # Program.public_q() again: an entry left by a refresh that raced a withdrawal
           # is never shown as a card (the joins are there anyway)
           f"WHERE registry_program.status = '{ProgramStatus.PUBLISHED}' AND registry_organization.is_active "
           f"AND {ENTRY}.program_id ")
    return sql, columns if any(converters for _field, _expression, converters in columns) else None


def cards(ids) -> list[Card]:
    """The cards of the published programs of active organizations with these ids, in
    this order: one statement over their catalog entries and the rows they name, read
    as plain values. Model instances of the five tables, ~90 columns with the long
    texts, cost several times the statement for the page's 20 cards."""
    ids = list(ids)
    if not ids:
        return []
    head, columns = _card_statement()
    if connection.vendor == "postgresql":
        sql, params = head + "= ANY(%s)", [ids]
    else:
        sql, params = head + f"IN ({', '.join(['%s'] * len(ids))})", ids
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if columns is not None:
        found = [rows.converted(columns, row) for row in found]
    by_id = {row[0]: Card(*row) for row in found}
    return [by_id[pk] for pk in ids if pk in by_id]


def search_catalog(filters: Filters, *, with_facets: bool = True, now=None) -> CatalogPage:
    """The page of programs for ``filters``, with the total and (unless asked not to)
    the facet counts, in one statement after the labels (``Catalog.statement``).

    The facet counts of a broad search — no text, or words found in at least a quarter
    of the catalog (``BROAD_SHARE``) — are kept in the cache until the catalog's next change (its version)
    or until enrolment opens or closes somewhere, whichever comes first; such a search
    then reads only its page. An explicit ``now`` (tests, reports of a past moment) is
    never cached."""
    labels = facet_labels() if with_facets or filters.q else None
    filters, understood = understand(filters, labels["municipality"]) if labels else (filters, [])
    catalog = Catalog(filters, now=now, synonyms=[text for _pk, text in labels["synonym"]] if labels else [])
    key = _facets_key(catalog, labels["version"][0][0]) if with_facets and now is None else None
    cached = cache.get(key) if key else None
    rows, ids = catalog.run("" if cached is not None else "facets" if with_facets else "total")
    until = 0.0
    if with_facets:
        if cached is None:
            counts = catalog.counts(rows)
            matched = next((row[-1] for row in rows if row[0] == "matched"), None)
            size, change = catalog_facts(labels["version"][0][0], catalog.now) if key else (0, None)
            if key and (matched is None or matched >= BROAD_SHARE * size):
                seconds = seconds_until(catalog.now, change)
                until = time.time() + seconds
                cache.set(key, (counts, until), seconds)
            else:
                key = None
        else:
            counts, until = cached
        count, facets = counts[None], catalog.choices(counts, labels)
    else:
        count, facets = (rows[0][-1] if rows else 0), {}
    text = catalog.text
    return CatalogPage(filters=filters, count=count, items=cards(ids), facets=facets,
                       corrections=text.corrections if text else {}, ignored=text.ignored if text else [],
                       understood=understood, facets_key=key, facets_until=until)


def organizations(filters: Filters, *, now=None) -> tuple[Filters, dict[int, int]]:
    """The organizations of the programs ``filters`` find (the text read as the page
    reads it), with how many each has: the map's markers."""
    labels = facet_labels() if filters.q else None
    filters, _understood = understand(filters, labels["municipality"]) if labels else (filters, [])
    catalog = Catalog(filters.but(page=1), now=now,
                      synonyms=[text for _pk, text in labels["synonym"]] if labels else [])
    return filters, catalog.organization_counts()


def understand(filters: Filters, municipalities) -> tuple[Filters, list[tuple[str, str]]]:
    """The age and the municipality a parent wrote in the search text («танцы 10 лет
    Заречный») as filters, the text without them; a filter already chosen wins. Returns
    the filters and the chips of what was read: (parameter, label)."""
    if not filters.q:
        return filters, []
    found = search.understand(filters.q, municipalities, ages=codes.AGES)
    if found.text == filters.q:
        return filters, []
    chips, changes = [], {"q": found.text}
    if found.age is not None and filters.age is None:
        changes["age"] = found.age
        chips.append(("age", _("Возраст (лет): %(age)s") % {"age": found.age}))
    if found.municipality is not None and filters.municipality is None:
        changes["municipality"] = found.municipality
        chips.append(("municipality", found.municipality_name))
    return filters.but(**changes), chips
