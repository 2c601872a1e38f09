"""Written-out INSERTs, below every app: ``insert(instance)`` writes a new model instance
with one ``INSERT … RETURNING`` built once per database and model from the model's own
columns, instead of ``save()``, whose compilation of the same statement by the ORM costs
several times more than running it; ``insert_many(instances)`` writes many with one
multi-row INSERT the same way.

``columns(model, names)`` and ``instance(model, columns, values)`` read rows back the
other way: a model instance from the values of a hand-written statement, converted as
the ORM converts them (``converted`` alone gives the values, for rows read as plain
values). ``prepared_cursor()`` is the cursor for such statements on the
hot paths: PostgreSQL plans each of them once per connection.

It is for the rows a hot path writes many of (the application, its audit event and its
mail task on enrolment opening day, docs/decisions.md «Written-out INSERTs on the
opening-day path»): the values are prepared as the ORM prepares them
(``pre_save(add=True)``, then ``get_db_prep_save``: defaults, ``auto_now_add``, JSON,
UUIDs and SQLite's datetimes alike), ``pre_save`` and ``post_save`` are sent as ``save``
sends them, and the instance is left as a saved one (its key set, no longer adding). No
``full_clean``, no update of an existing row, no inherited (multi-table) models.
"""

import contextlib
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Model
from django.db.models.signals import post_save, pre_save

_STATEMENTS = {}


def db():
    """This thread's default connection itself. ``django.db.connection`` is a proxy that
    looks the connection up again for every attribute read, and preparing a row's values
    reads it a few times per value: code that prepares many values reads it once here
    and passes this on."""
    return connections[DEFAULT_DB_ALIAS]


class _Insert(NamedTuple):
    """``model``'s INSERT on one database: ``head`` (``INSERT INTO t (…)``), one row of
    placeholders, the ``RETURNING`` tail or "", the one-row statement, the fields
    written, the key field read back or None, and the many-row form or None."""

    head: str
    row: str
    tail: str
    one: str
    fields: list
    returned: object
    many: str | None

    def values(self, count: int) -> str:
        """The many-row form of VALUES (…), (…): its text grows with the rows."""
        return f"{self.head} VALUES {', '.join([self.row] * count)}{self.tail}"


def _statement(model) -> _Insert:
    """``model``'s INSERT on the current database. The many-row form, on PostgreSQL, takes
    one array per column (``UNNEST``, as Django's own ``bulk_create`` writes it there): its
    text is the same for any number of rows, so it is prepared once per connection and
    costs no parsing of thousands of placeholders, on the client or on the server."""
    key = (connection.alias, connection.vendor, model)
    if key not in _STATEMENTS:
        meta = model._meta
        if meta.parents:
            raise TypeError(f"rows.insert() does not write inherited models ({meta.label})")
        quote = connection.ops.quote_name
        fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field]
        returned = meta.auto_field
        head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
        tail = ""
        if returned is not None and connection.features.can_return_columns_from_insert:
            tail = f" RETURNING {quote(returned.column)}"
        many = None
        if connection.vendor == "postgresql" and all(_unnests(field) for field in fields):
            # without a type's parameters: varchar[], not varchar(50)[] that would truncate
            arrays = ", ".join(f"(%b)::{field.db_type(connection).split('(')[0]}[]"
                               for field in fields)
            many = f"{head} SELECT * FROM UNNEST({arrays}){tail}"
        row = f"({', '.join(['%s'] * len(fields))})"
        _STATEMENTS[key] = _Insert(head, row, tail, f"{head} VALUES {row}{tail}", fields,
                                   returned, many)
    return _STATEMENTS[key]


def _unnests(field) -> bool:
    """Whether a field's values can travel in an array of its column's type (Django's own
    test for ``bulk_create``'s UNNEST): one placeholder fits all its values, and its type
    is one of the database's own."""
    target = field.target_field if field.is_relation else field
    return (not hasattr(field, "get_placeholder")
            and target.get_internal_type() in connection.data_types)


def insert_many(instances, *, batch_size: int = 500) -> list:
    """Write new instances of one model with one multi-row INSERT per ``batch_size``
    (``insert``'s form for set-based runs: Django's ``bulk_create`` costs milliseconds of
    compilation per statement, more than writing a small batch); signals as ``insert``
    sends them, keys set from ``RETURNING`` in the order of the rows (which Django's own
    ``bulk_create`` relies on too)."""
    instances = list(instances)
    if not instances:
        return instances
    model = type(instances[0])
    statement = _statement(model)
    if statement.returned is not None and not connection.features.can_return_rows_from_bulk_insert:
        raise NotImplementedError("rows.insert_many() needs INSERT … RETURNING of many rows")
    with transaction.atomic(savepoint=False):  # every chunk, or none
        for start in range(0, len(instances), batch_size):
            _insert_chunk(model, instances[start:start + batch_size], statement)
    return instances


def _insert_chunk(model, chunk, statement: _Insert) -> None:
    conn, values = db(), []
    for instance in chunk:
        if type(instance) is not model or not instance._state.adding:
            raise ValueError("rows.insert_many() writes new instances of one model")
        instance._prepare_related_fields_for_save(operation_name="insert")
        pre_save.send(sender=model, instance=instance, raw=False, using=conn.alias,
                      update_fields=None)
        values.append([field.get_db_prep_save(field.pre_save(instance, True), connection=conn)
                       for field in statement.fields])
    if statement.many is not None:
        sql, params = statement.many, [list(column) for column in zip(*values, strict=True)]
    else:
        sql, params = statement.values(len(chunk)), [value for row in values for value in row]
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        if statement.returned is not None:
            for instance, (key,) in zip(chunk, cursor.fetchall(), strict=True):
                setattr(instance, statement.returned.attname, key)
    for instance in chunk:
        instance._state.adding = False
        instance._state.db = conn.alias
        post_save.send(sender=model, instance=instance, created=True, update_fields=None,
                       raw=False, using=conn.alias)


def insert(instance: Model) -> Model:
    """Write the new ``instance`` with one INSERT and return it, saved."""
    model, conn = type(instance), db()
    if not instance._state.adding:
        raise ValueError("rows.insert() writes new instances only")
    statement = _statement(model)
    returned = statement.returned
    instance._prepare_related_fields_for_save(operation_name="insert")
    pre_save.send(sender=model, instance=instance, raw=False, using=conn.alias,
                  update_fields=None)
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection=conn)
              for field in statement.fields]
    with prepared_cursor() as cursor:
        cursor.execute(statement.one, params)
        if returned is not None:
            value = (cursor.fetchone()[0] if conn.features.can_return_columns_from_insert
                     else conn.ops.last_insert_id(cursor, model._meta.db_table, returned.column))
            setattr(instance, returned.attname, value)
    instance._state.adding = False
    instance._state.db = conn.alias
    post_save.send(sender=model, instance=instance, created=True, update_fields=None, raw=False,
                   using=conn.alias)
    return instance


# --- reading rows back ---------------------------------------------------------------


def columns(model, names=None) -> list:
    """``(field, its column expression, the ORM's converters of its values)`` for the
    fields ``names`` of ``model`` (every concrete field when None), in the model's own
    order of fields: ``instance`` takes its values in that order."""
    table = model._meta.db_table
    made = []
    for field in model._meta.concrete_fields:
        if names is None or field.name in names:
            expression = field.get_col(table)
            made.append((field, expression, [*connection.ops.get_db_converters(expression),
                                             *field.get_db_converters(connection)]))
    return made


def converted(columns, values) -> list:
    """Raw ``values`` of ``columns`` (of one model or several) converted as the ORM
    converts them: on SQLite, datetimes become aware, integers booleans, numbers
    decimals and text dates."""
    conn, made = db(), []
    for (_field, expression, converters), value in zip(columns, values, strict=True):
        for converter in converters:
            value = converter(value, expression, conn)
        made.append(value)
    return made


def instance(model, columns, values):
    """A saved instance of ``model`` from raw ``values`` of its ``columns``, converted as
    the ORM converts them (``converted``)."""
    return model.from_db(db().alias, [field.attname for field, _e, _c in columns], converted(columns, values))


def _prepared_cursor_classes():
    from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor
    from django.db.backends.utils import CursorWrapper

    class PreparedCursor(ServerBindingCursor):
        """Binds its parameters on the server and has each statement prepared."""

        def execute(self, query, params=None, *, prepare=True, binary=None):
            return super().execute(query, params, prepare=prepare, binary=binary)

    class PreparedDebugWrapper(CursorDebugWrapper):
        """Django's query log (``DEBUG``, tests) of a prepared statement: the statement as
        written, with its parameters beside it (psycopg keeps no text of a prepared
        statement with its values, from which Django would take it)."""

        def execute(self, sql, params=None):
            with self.debug_sql(sql, params):
                return CursorWrapper.execute(self, sql, params)

    return PreparedCursor, PreparedDebugWrapper


_PREPARED = []


@contextlib.contextmanager
def prepared_cursor():
    """A cursor, like ``connection.cursor()``, whose statements PostgreSQL parses and plans
    once per connection: for a hand-written statement run by every request of a hot path,
    whose planning costs more than running it (a token's check, an outbox's INSERT).
    Its parameters are bound on the server, so every one must have a type PostgreSQL can
    tell (cast a NULL that is not compared to a column). On other databases it is the
    ordinary cursor. (A pooler in transaction mode in front of PostgreSQL must keep
    prepared statements per client, as PgBouncer does since 1.21.)"""
    conn = db()
    if conn.vendor != "postgresql":
        with conn.cursor() as cursor:
            yield cursor
        return
    if not _PREPARED:
        _PREPARED.extend(_prepared_cursor_classes())
    cursor_class, debug_wrapper = _PREPARED
    # what connection.cursor() does, with the cursor of server-side binding
    conn.close_if_health_check_failed()
    conn.ensure_connection()
    with conn.wrap_database_errors:
        raw = cursor_class(conn.connection)
    conn.validate_thread_sharing()
    cursor = debug_wrapper(raw, conn) if conn.queries_logged else conn.make_cursor(raw)
    with cursor:
        yield cursor
