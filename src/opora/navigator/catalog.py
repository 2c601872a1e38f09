"""The catalog query: filters, facet counts, sort and page over the catalog index.

One module builds the SQL that the page, the API and the benchmark run, so they run
the same statements. A search costs a fixed number of queries whatever the page
size: the reading of the typed text (when there is one), the facet counts with the
total, the names of municipalities and specialisations, the ids of the page and the
programs of the page.

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

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opora.navigator import codes, search
from opora.navigator.filters import Filters
from opora.registry.models import Program

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
# what a text search keeps of each entry it finds (and, on PostgreSQL, enrolment times)
SOURCE_COLUMNS = [*ROW_COLUMNS, "organization_id", "title", "min_price", "next_start"]
PG_COLUMNS = ["open_from", "open_until", "enrolment_windows"]
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

    def source_sql(self, rank=False) -> tuple[str, str, list]:
        """``(WITH clause, relation, params)``: the catalog rows a search reads. With
        typed text, the entries of the programs it finds, with what ranks them
        (``search.matched_sql``), kept apart so the words are looked up first and the
        entries found fetched by key, instead of walking the whole catalog in sort
        order to find a page."""
        if self.text is None:
            return "", ENTRY, []
        columns = SOURCE_COLUMNS + (PG_COLUMNS if self.postgres else [])
        sql, params = search.matched_sql(self.text, columns, rank=rank)
        return f"WITH matched AS MATERIALIZED ({sql}) ", "matched", params

    @staticmethod
    def _where(conditions) -> tuple[str, list]:
        conditions = list(conditions)
        if not conditions:
            return "", []
        return " WHERE " + " AND ".join(f"({sql})" for sql, _ in conditions), [
            p for _, params in conditions for p in params]

    # --- facets -------------------------------------------------------------------

    def facets_sql(self) -> tuple[str, list]:
        """One statement giving, per grouping part, counts of the rows by key."""
        base = self.base_conditions()
        own = self.facet_conditions(over_rows=True)
        open_sql, open_params = self._open_now()
        with_clause, relation, params = self.source_sql()
        derived = (f"SELECT {', '.join('e.' + c for c in ROW_COLUMNS)}, (e.free_seats > 0) AS has_free, "
                   f"{open_sql} AS open_now FROM {relation} e")
        base_where, base_params = self._where(base)
        # Each part reads the rows again rather than a copy: a scan of the narrow index
        # costs less than writing it out (a text search's rows are already kept once).
        prefix = f"{with_clause}{', ' if with_clause else 'WITH '}rows AS NOT MATERIALIZED ({derived}{base_where}) "
        params += [*open_params, *base_params]

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
        sql = prefix + " UNION ALL ".join(sql for sql, _ in parts)
        return sql, params + [p for _, part_params in parts for p in part_params]

    def facets(self, labels) -> tuple[int, dict[str, list[FacetChoice]]]:
        sql, params = self.facets_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        own = set(self.facet_conditions(over_rows=True))
        # part tag -> the facet fields whose counts it gives
        targets = {f"set{n}": [name for name in fields if name not in own] for n, fields in enumerate(SETS)}
        targets.update({name: [name] for name in own})
        groups = defaultdict(list)
        total = 0
        for row in rows:
            tag = row[0]
            if tag == "set0":
                total += row[-1]
            for name in targets[tag]:
                groups[name].append(row)
        return total, self._choices(groups, labels)

    def _choices(self, groups, labels) -> dict[str, list[FacetChoice]]:
        """Each choice's count from the grouped rows (tag, *COLUMNS, count)."""
        f = self.filters
        at = {column: n + 1 for n, column in enumerate(COLUMNS)}
        result = {}
        for name, choices in FLAG_FACETS.items():
            column = at[KEYS[name][0]]
            counts = dict.fromkeys((c.bit for c in choices), 0)
            for row in groups[name]:
                value = row[column]
                for bit in counts:
                    if value & bit:
                        counts[bit] += row[-1]
            mask = getattr(f, name)
            result[name] = [FacetChoice(c.code, c.label, counts[c.bit], bool(mask & c.bit)) for c in choices]
        ages = dict.fromkeys(codes.AGES, 0)
        low, high = at["age_min"], at["age_max"]
        for row in groups["age"]:
            for age in range(max(row[low], codes.AGES[0]), min(row[high], codes.AGES[-1]) + 1):
                ages[age] += row[-1]
        result["age"] = [FacetChoice(str(a), str(a), n, f.age == a) for a, n in ages.items()]
        for name, label in BOOLEAN_FACETS.items():
            column = at[KEYS[name][0]]
            count = sum(row[-1] for row in groups[name] if row[column])
            result[name] = [FacetChoice("1", label, count, bool(getattr(f, name)))]
        for name in ("municipality", "specialisation"):
            column = at[KEYS[name][0]]
            counts = defaultdict(int)
            for row in groups[name]:
                counts[row[column]] += row[-1]
            chosen = getattr(f, name)
            result[name] = [FacetChoice(str(pk), label, counts.get(pk, 0), chosen == pk)
                            for pk, label in labels[name]]
        return result

    # --- the page -----------------------------------------------------------------

    def page_sql(self) -> tuple[str, list]:
        f = self.filters
        where, params = self._where([*self.base_conditions(), *self.facet_conditions().values()])
        relevance = f.order == "relevance" and self.text is not None
        with_clause, relation, source_params = self.source_sql(rank=relevance)
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
        sql = (f"{with_clause}SELECT e.program_id FROM {relation} e{join}{where} ORDER BY {order} "
               "LIMIT %s OFFSET %s")
        return sql, [*source_params, *params, *order_params, f.size, (f.page - 1) * f.size]

    def organizations_sql(self) -> tuple[str, list]:
        """The organizations of the found programs, with how many each has: the map."""
        where, params = self._where([*self.base_conditions(), *self.facet_conditions().values()])
        with_clause, relation, source_params = self.source_sql()
        return (f"{with_clause}SELECT e.organization_id, COUNT(*) FROM {relation} e{where} "
                "GROUP BY e.organization_id", [*source_params, *params])

    def organization_counts(self) -> dict[int, int]:
        sql, params = self.organizations_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return dict(cursor.fetchall())

    def count_sql(self) -> tuple[str, list]:
        where, params = self._where([*self.base_conditions(), *self.facet_conditions().values()])
        with_clause, relation, source_params = self.source_sql()
        return f"{with_clause}SELECT COUNT(*) FROM {relation} e{where}", [*source_params, *params]

    def ids(self) -> list[int]:
        sql, params = self.page_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]


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
    """Names of municipalities and specialisations for their facets, and the entries of
    the search dictionary (``synonym``), in one query."""
    labels = {"municipality": [], "specialisation": [], "synonym": []}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'municipality', id, name, '' FROM registry_municipality "
            "UNION ALL SELECT 'specialisation', id, name, direction FROM registry_specialisation "
            "UNION ALL SELECT 'synonym', id, variants, '' FROM navigator_searchsynonym "
            "ORDER BY 1, 3")
        for kind, pk, name, _direction in cursor.fetchall():
            labels[kind].append((pk, name))
    return labels


def programs(ids) -> list[Program]:
    """The public programs with these ids, in this order, ready for a result card."""
    found = (Program.objects.filter(Program.public_q(), pk__in=ids)
             .select_related("organization__municipality", "specialisation", "catalog_entry"))
    by_id = {p.pk: p for p in found}
    return [by_id[pk] for pk in ids if pk in by_id]


def search_catalog(filters: Filters, *, with_facets: bool = True, now=None) -> CatalogPage:
    """The page of programs for ``filters``, with the total and (unless asked not to)
    the facet counts."""
    labels = facet_labels() if with_facets or filters.q else None
    filters, understood = understand(filters, labels["municipality"]) if labels else (filters, [])
    catalog = Catalog(filters, now=now, synonyms=[text for _pk, text in labels["synonym"]] if labels else [])
    if with_facets:
        count, facets = catalog.facets(labels)
    else:
        sql, params = catalog.count_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            count, facets = cursor.fetchone()[0], {}
    ids = catalog.ids() if count else []
    text = catalog.text
    return CatalogPage(filters=filters, count=count, items=programs(ids), facets=facets,
                       corrections=text.corrections if text else {}, ignored=text.ignored if text else [],
                       understood=understood)


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
