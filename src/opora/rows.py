"""Written-out INSERTs, below every app: ``insert(instance)`` writes a new model instance
with one ``INSERT … RETURNING`` built once per database and model from the model's own
columns, instead of ``save()``, whose compilation of the same statement by the ORM costs
several times more than running it; ``insert_many(instances)`` writes many with one
multi-row INSERT the same way.

It is for the rows a hot path writes many of (the application, its audit event and its
mail task on enrolment opening day, docs/decisions.md «Written-out INSERTs on the
opening-day path»): the values are prepared as the ORM prepares them
(``pre_save(add=True)``, then ``get_db_prep_save``: defaults, ``auto_now_add``, JSON,
UUIDs and SQLite's datetimes alike), ``pre_save`` and ``post_save`` are sent as ``save``
sends them, and the instance is left as a saved one (its key set, no longer adding). No
``full_clean``, no update of an existing row, no inherited (multi-table) models.
"""

from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_save, pre_save

_STATEMENTS = {}


def _statement(model):
    """(SQL, fields written, the key field read back or None) of ``model``'s INSERT on
    the current database."""
    key = (connection.alias, connection.vendor, model)
    if key not in _STATEMENTS:
        meta = model._meta
        if meta.parents:
            raise TypeError(f"rows.insert() does not write inherited models ({meta.label})")
        quote = connection.ops.quote_name
        fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field]
        returned = meta.auto_field
        sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        if returned is not None and connection.features.can_return_columns_from_insert:
            sql += f" RETURNING {quote(returned.column)}"
        _STATEMENTS[key] = sql, fields, returned
    return _STATEMENTS[key]


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
    sql, fields, returned = _statement(model)
    if returned is not None and not connection.features.can_return_rows_from_bulk_insert:
        raise NotImplementedError("rows.insert_many() needs INSERT … RETURNING of many rows")
    head, values = sql.split(" VALUES ", 1)
    row = values.split(" RETURNING ", 1)[0]
    tail = values[len(row):]
    with transaction.atomic(savepoint=False):  # every chunk, or none
        for start in range(0, len(instances), batch_size):
            _insert_chunk(model, instances[start:start + batch_size], head, row, tail,
                          fields, returned)
    return instances


def _insert_chunk(model, chunk, head, row, tail, fields, returned) -> None:
    params = []
    for instance in chunk:
        if type(instance) is not model or not instance._state.adding:
            raise ValueError("rows.insert_many() writes new instances of one model")
        instance._prepare_related_fields_for_save(operation_name="insert")
        pre_save.send(sender=model, instance=instance, raw=False, using=connection.alias,
                      update_fields=None)
        params += [field.get_db_prep_save(field.pre_save(instance, True), connection=connection)
                   for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(f"{head} VALUES {', '.join([row] * len(chunk))}{tail}", params)
        if returned is not None:
            for instance, (key,) in zip(chunk, cursor.fetchall(), strict=True):
                setattr(instance, returned.attname, key)
    for instance in chunk:
        instance._state.adding = False
        instance._state.db = connection.alias
        post_save.send(sender=model, instance=instance, created=True, update_fields=None,
                       raw=False, using=connection.alias)


def insert(instance: Model) -> Model:
    """Write the new ``instance`` with one INSERT and return it, saved."""
    model = type(instance)
    if not instance._state.adding:
        raise ValueError("rows.insert() writes new instances only")
    sql, fields, returned = _statement(model)
    instance._prepare_related_fields_for_save(operation_name="insert")
    pre_save.send(sender=model, instance=instance, raw=False, using=connection.alias,
                  update_fields=None)
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection=connection)
              for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returned is not None:
            value = (cursor.fetchone()[0] if connection.features.can_return_columns_from_insert
                     else connection.ops.last_insert_id(cursor, model._meta.db_table, returned.column))
            setattr(instance, returned.attname, value)
    instance._state.adding = False
    instance._state.db = connection.alias
    post_save.send(sender=model, instance=instance, created=True, update_fields=None, raw=False,
                   using=connection.alias)
    return instance
