"""Keeping the catalog index (``CatalogEntry``), the search documents and the search
vocabulary in step with the registry.

``refresh`` brings the entries of some programs (or of an organization, or of all)
in step in one INSERT … SELECT … ON CONFLICT, inside the caller's transaction, so
the catalog never shows a program the registry no longer publishes; rows that did
not change are not rewritten. ``rebuild`` does all programs and recounts the search
vocabulary: the benchmark generator, the demo loader and ``opora navigator_reindex``
call it, the latter nightly, because the start of the nearest group and the free
seats of groups still running depend on the date.

Two refreshes of the same program take turns (``LOCK_SLOTS``): each computes the entry
from what is committed when its statement starts, so a refresh that did not see the
other's change and wrote after it would leave the entry behind the registry (a group
that filled up beside another still showing a free seat) until the next rebuild.

Each refresh also rewrites the search documents of the programs concerned
(``write_documents``): the stems (``search.stems``) of the title, the direction and
specialisation names, the organization's short name and the description — into the
FTS5 table on SQLite, into a weighted tsvector on PostgreSQL (see ``search``).
"""

import json

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from opora import locking
from opora.navigator import catalog, codes, search
from opora.registry.choices import Direction
from opora.registry.models import Group, GroupFunding, Module, Program
from opora.registry.selectors import free_seats_expression

# the entry's columns; the annotation ``x_<column>`` computes each
COLUMNS = [
    "program_id", "organization_id", "municipality_id", "specialisation_id", "direction",
    "levels", "forms", "payment", "ovz_kinds", "seasonal", "is_rural", "age_min", "age_max",
    "title", "min_price", "min_paid_price", "next_start", "free_seats",
]

# A scoped refresh holds the advisory lock of each of its programs' slots (the id modulo
# this) to its transaction's end: one lock per program for the few programs of a save,
# and no more than this many for an import of thousands (PostgreSQL's lock table is
# shared and small). Two programs of one slot merely take turns.
LOCK_SLOTS = 256

# The moments a program takes applications: the union over its active groups with the
# switch on of [opens, closes), closing at the latest when the group's last day ends.
WINDOWS_SQL = """(
    SELECT range_agg(tstzrange(g.enrolment_from, LEAST(g.enrolment_to, g_end.at)))
    FROM registry_group g
    JOIN registry_module m ON m.id = g.module_id
    CROSS JOIN LATERAL (SELECT ((g.end_date + 1)::timestamp AT TIME ZONE %s) AS at) g_end
    WHERE m.program_id = "registry_program"."id" AND g.is_active AND g.enrolment_open
      AND (g.enrolment_from IS NULL OR g.enrolment_from < LEAST(g.enrolment_to, g_end.at))
)"""

# The interval of the windows that is open now or opens next (none: never open).
CURRENT_WINDOW_SQL = """ LEFT JOIN LATERAL (
    SELECT r FROM unnest(fresh.x_enrolment_windows) r
    WHERE upper_inf(r) OR upper(r) > %s ORDER BY lower(r) NULLS FIRST LIMIT 1
) cur ON true"""


def _bits(field, choices):
    return Case(*[When(**{field: c.code}, then=Value(c.bit)) for c in choices],
                default=Value(0), output_field=IntegerField())


def _flag(condition, bit):
    return Case(When(condition, then=Value(bit)), default=Value(0), output_field=IntegerField())


def _entries(programs):
    """The rows of the index for a queryset of programs, as a values_list queryset."""
    today = timezone.localdate()
    groups = Group.objects.filter(module__program=OuterRef("pk"), is_active=True)
    running = groups.filter(end_date__gte=today)
    funding = GroupFunding.objects.filter(group__module__program=OuterRef("pk"),
                                          group__is_active=True)
    payment = Value(0)
    for bit in sorted(set(codes.PAYMENT_OF_SOURCE.values())):
        sources = [s for s, b in codes.PAYMENT_OF_SOURCE.items() if b == bit]
        payment = payment + _flag(Exists(funding.filter(source__in=sources)), bit)
    own_funds = [s for s, b in codes.PAYMENT_OF_SOURCE.items() if b == codes.bit_of(codes.PAYMENTS, "paid")]
    form_bits = {c.code: c.bit for c in codes.FORMS}
    seats = (running.order_by().values("module__program")
             .annotate(seats=Sum(free_seats_expression())).values("seats"))
    annotations = {
        "x_program_id": F("pk"),
        "x_organization_id": F("organization_id"),
        "x_municipality_id": F("organization__municipality_id"),
        "x_specialisation_id": F("specialisation_id"),
        "x_direction": _bits("direction", codes.DIRECTIONS),
        "x_levels": F("levels"),
        "x_forms": (_bits("study_form", codes.FORMS[:3]) + _flag(Q(is_distance=True), form_bits["distance"])
                    + _flag(Q(is_network=True), form_bits["network"])),
        "x_payment": payment,
        "x_ovz_kinds": F("ovz_kinds") + _flag(Q(is_for_disabled=True), codes.DISABLED_BIT),
        "x_seasonal": _bits("seasonal_kind", codes.SEASONAL),
        "x_is_rural": F("organization__is_rural"),
        "x_age_min": F("age_min"),
        "x_age_max": F("age_max"),
        "x_title": F("title"),
        "x_min_price": Subquery(funding.order_by("monthly_price").values("monthly_price")[:1]),
        "x_min_paid_price": Subquery(funding.filter(source__in=own_funds)
                                     .order_by("monthly_price").values("monthly_price")[:1]),
        "x_next_start": Subquery(running.order_by("start_date").values("start_date")[:1]),
        "x_free_seats": Coalesce(Subquery(seats), Value(0)),
    }
    columns = list(COLUMNS)
    if connection.vendor == "postgresql":
        annotations["x_enrolment_windows"] = RawSQL(WINDOWS_SQL, [settings.TIME_ZONE])
        columns.append("enrolment_windows")
    rows = programs.filter(Program.public_q()).order_by().annotate(**annotations)
    return columns, rows.values_list(*[f"x_{c}" for c in columns])


def refresh(*, programs=None, organization=None, documents=True):
    """Bring the index entries of the given program ids, of one organization's
    programs, or (with neither) of the whole registry in step with the registry, and
    their search documents unless ``documents`` is false (a change that cannot alter
    them: the seats or the funding of a group)."""
    scope = None
    if programs is not None:
        scope = [int(pk) for pk in programs]
    elif organization is not None:
        scope = list(Program.objects.filter(organization_id=organization).values_list("pk", flat=True))
    if scope is not None and not scope:
        return
    delete, upsert = _statements(scoped=scope is not None)
    # all or nothing, and no savepoint of its own inside a caller's transaction (a
    # failure here fails the caller's save anyway): two round trips fewer per save
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if scope is not None:
            # before anything is read: the later of two refreshes of a program reads
            # what the earlier committed (the whole registry's refresh, nightly or after
            # a load, takes none: a save during it may be undone until the next one)
            locking.advisory("catalog", *{pk % LOCK_SLOTS for pk in scope})
        cursor.execute(delete.sql, delete.params(scope))
        cursor.execute(upsert.sql, upsert.params(scope, timezone.now()))
        if documents:
            write_documents(scope)
        changed()


class _Statement:
    """SQL compiled once with ``_SCOPE`` where the program ids go (and, last, the moment
    of the refresh on PostgreSQL)."""

    def __init__(self, sql, params, now=False):
        self.sql, self._params, self._now = sql, tuple(params), now

    def params(self, scope, now=None):
        ids = (scope if connection.vendor == "postgresql" else json.dumps(scope)) if scope is not None else None
        params = [ids if p is _SCOPE else p for p in self._params]
        return [*params, now] if self._now else params


# Building and compiling the entries' query (a dozen subqueries) costs ~15 ms of CPU, more
# than running it for the few programs of one save; every save of a program, group, funding
# source or organization refreshes. So it is compiled once per database, local day (the
# day is a parameter of the query) and time zone, for the whole registry and for a scope.
_compiled: dict = {}
_SCOPE = object()  # the compiled parameter that stands for the program ids


def _statements(*, scoped: bool) -> tuple[_Statement, _Statement]:
    key = (connection.vendor, timezone.localdate(), settings.TIME_ZONE, scoped)
    if key not in _compiled:
        if len(_compiled) > 8:  # another day: the old ones are never read again
            _compiled.clear()
        _compiled[key] = _compile(scoped)
    return _compiled[key]


def _compile(scoped: bool) -> tuple[_Statement, _Statement]:
    queryset = Program.objects.all()
    entries, scope_sql = "", ""
    if scoped:
        scope_sql = ("SELECT unnest(%s::bigint[])" if connection.vendor == "postgresql"
                     else "SELECT value FROM json_each(%s)")
        queryset = queryset.filter(pk__in=RawSQL(scope_sql, [_SCOPE]))
        entries = f"program_id IN ({scope_sql}) AND "
    public_sql, public_params = queryset.filter(Program.public_q()).values("pk").query.sql_with_params()
    delete = _Statement(f"DELETE FROM navigator_catalogentry WHERE {entries}program_id NOT IN ({public_sql})",
                        ([_SCOPE] if scoped else []) + list(public_params))
    columns, rows = _entries(queryset)
    aliases = [f"x_{c}" for c in columns]
    sql, params = rows.query.sql_with_params()
    current, unchanged = "", ""
    postgres = connection.vendor == "postgresql"
    if postgres:
        columns += ["open_from", "open_until"]
        # no window: both NULL (never open); an unbounded end: ±infinity
        aliases += ["CASE WHEN cur.r IS NOT NULL THEN COALESCE(lower(cur.r), '-infinity') END",
                    "CASE WHEN cur.r IS NOT NULL THEN COALESCE(upper(cur.r), 'infinity') END"]
        current = CURRENT_WINDOW_SQL
        # rows that did not change are not written again, so the nightly rebuild
        # leaves no dead copy of the whole table behind for the scans to read
        unchanged = " WHERE navigator_catalogentry.* IS DISTINCT FROM EXCLUDED.*"
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != "program_id")
    upsert = _Statement(
        f"INSERT INTO navigator_catalogentry ({', '.join(columns)}) "
        f"SELECT {', '.join(aliases)} FROM ({sql}) AS fresh{current} WHERE true "
        f"ON CONFLICT (program_id) DO UPDATE SET {updates}{unchanged}", params, now=postgres)
    return delete, upsert


def changed():
    """A new version of the catalog (``CatalogChange``): cached facet counts of the
    previous ones are no longer read, nor, in this process, kept pages (the version
    this process last read is forgotten now and again when the change is committed)."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO navigator_catalogchange DEFAULT VALUES")
    # now, for what this connection reads before its commit (and for tests, whose
    # transactions never commit), and at the commit, for everyone else
    catalog.forget_version()
    transaction.on_commit(catalog.forget_version)


def _documents(scope):
    """(program id, title, topic, organization, description) stems of the public
    programs among ``scope`` (all when None)."""
    programs = Program.objects.filter(catalog_entry__isnull=False)
    if scope is not None:
        programs = programs.filter(pk__in=scope)
    with translation.override("ru"):
        directions = {value: str(label) for value, label in Direction.choices}
    rows = programs.values_list("pk", "title", "direction", "specialisation__name",
                                "organization__short_name", "description")
    return [(pk, search.stems(title), search.stems(f"{directions.get(direction, '')} {specialisation or ''}"),
             search.stems(organization), search.stems(description))
            for pk, title, direction, specialisation, organization, description
            # the whole registry streams; a save's few programs are read at once (on
            # PostgreSQL a streamed read is a server-side cursor: three statements)
            in (rows.iterator(2000) if scope is None else rows)]


def write_documents(scope=None):
    """Rewrite the search documents of the programs ``scope`` (ids; all when None):
    those of public programs are written, those of the others dropped."""
    documents = _documents(scope)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            if scope is None:
                cursor.execute("DELETE FROM navigator_searchdoc")
            else:
                for start in range(0, len(scope), 500):
                    chunk = scope[start:start + 500]
                    cursor.execute("DELETE FROM navigator_searchdoc WHERE rowid IN "
                                   f"({', '.join(['%s'] * len(chunk))})", chunk)
            cursor.executemany("INSERT INTO navigator_searchdoc (rowid, title, topic, organization, "
                               "description) VALUES (%s, %s, %s, %s, %s)", documents)
            return
        stale = "" if scope is None else "d.program_id = ANY(%s) AND "
        cursor.execute(f"DELETE FROM navigator_searchdoc d WHERE {stale}NOT EXISTS (SELECT 1 FROM "
                       "navigator_catalogentry e WHERE e.program_id = d.program_id)",
                       [] if scope is None else [scope])
        if not documents:
            return
        cursor.execute(
            "INSERT INTO navigator_searchdoc (program_id, vector) SELECT u.id, "
            "setweight(to_tsvector('simple', u.t), 'A') || setweight(to_tsvector('simple', u.s), 'B') "
            "|| setweight(to_tsvector('simple', u.o), 'C') || setweight(to_tsvector('simple', u.d), 'D') "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[]) AS u(id, t, s, o, d) "
            "ON CONFLICT (program_id) DO UPDATE SET vector = EXCLUDED.vector "
            "WHERE navigator_searchdoc.vector IS DISTINCT FROM EXCLUDED.vector",
            [list(column) for column in zip(*documents, strict=True)])
        if scope is not None:
            _add_words(cursor, scope)


def forget(program_ids):
    """Drop the search documents of deleted programs."""
    ids = [int(pk) for pk in program_ids]
    changed()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DELETE FROM navigator_searchdoc WHERE program_id = ANY(%s)", [ids])
        else:
            cursor.execute(f"DELETE FROM navigator_searchdoc WHERE rowid IN ({', '.join(['%s'] * len(ids))})",
                           ids)


def refresh_groups(group_ids):
    """Refresh the entries of the programs these groups belong to (their seats or their
    funding changed), in one refresh. The programs' search documents stay: they are made
    of the program's and its organization's words only, and whether a program is in the
    catalog at all does not depend on its groups."""
    refresh(programs=Module.objects.filter(groups__pk__in=group_ids)
            .values_list("program_id", flat=True).distinct(), documents=False)


def _add_words(cursor, scope):
    """New stems of the refreshed programs join the vocabulary (PostgreSQL; old ones
    stay until the nightly rebuild: a spare word only offers a correction nobody may
    need). SQLite's vocabulary is the FTS5 table's own."""
    cursor.execute(
        "INSERT INTO navigator_searchword (word, documents) "
        "SELECT DISTINCT w.lexeme, 1 FROM navigator_searchdoc d, unnest(d.vector) w "
        "WHERE d.program_id = ANY(%s) ON CONFLICT (word) DO NOTHING", [scope])


def rebuild():
    """The whole index and vocabulary from the registry."""
    with transaction.atomic():
        refresh()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM navigator_catalogchange WHERE id < (SELECT MAX(id) FROM "
                           "navigator_catalogchange)")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM navigator_searchword")
                cursor.execute(
                    "INSERT INTO navigator_searchword (word, documents) SELECT word, ndoc FROM ts_stat("
                    "'SELECT vector FROM navigator_searchdoc')")
