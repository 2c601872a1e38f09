"""Drop ``registry_program.search_vector``, the generated tsvector of migration 0002.

The catalog searches its own documents (``navigator_searchdoc``, migration 0006) and
nothing reads the column any more; it only cost a stemming of the title and description
on every write of a program, and it made PostgreSQL refuse to change the type of those
columns. SQLite never had it (the statement runs wherever the column is found).
"""

from django.db import migrations

RESTORE = [
    """ALTER TABLE registry_program ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('russian', coalesce(title, '')), 'A')
        || setweight(to_tsvector('russian', coalesce(description, '')), 'B')) STORED""",
    "CREATE INDEX navigator_program_search ON registry_program USING gin (search_vector)",
]


def _columns(schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, "registry_program")}


def drop(apps, schema_editor):
    if "search_vector" in _columns(schema_editor):
        # the GIN index on it goes with the column
        schema_editor.execute("ALTER TABLE registry_program DROP COLUMN search_vector")


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql" and "search_vector" not in _columns(schema_editor):
        for statement in RESTORE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("navigator", "0006_search_documents")]
    operations = [migrations.RunPython(drop, restore)]
