"""Full-text search on PostgreSQL; SQLite gets nothing here (its catalog search is the
simpler fallback in ``opora.navigator.search``).

- ``registry_program.search_vector``: a stored generated tsvector (russian
  configuration; title weighs A, description B) with a GIN index, so it never needs
  code to keep it in step. Note for registry migrations: PostgreSQL refuses to change
  the type of ``title`` or ``description`` while the column depends on them; drop the
  column first and add it back (copy the statement below).
- ``navigator_searchword``: the lexemes of published programs with a trigram index,
  where a misspelt word finds its closest known words.
- ``navigator_catalogentry.enrolment_windows``: when each program takes applications.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE registry_program ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('russian', coalesce(title, '')), 'A')
        || setweight(to_tsvector('russian', coalesce(description, '')), 'B')) STORED""",
    "CREATE INDEX navigator_program_search ON registry_program USING gin (search_vector)",
    "ALTER TABLE navigator_catalogentry ADD COLUMN enrolment_windows tstzmultirange",
    "CREATE TABLE navigator_searchword (word text PRIMARY KEY, documents integer NOT NULL DEFAULT 1)",
    "CREATE INDEX navigator_searchword_prefix ON navigator_searchword (word text_pattern_ops)",
    "CREATE INDEX navigator_searchword_trgm ON navigator_searchword USING gin (word gin_trgm_ops)",
]
BACKWARD = [
    "DROP TABLE IF EXISTS navigator_searchword",
    "ALTER TABLE navigator_catalogentry DROP COLUMN IF EXISTS enrolment_windows",
    "ALTER TABLE registry_program DROP COLUMN IF EXISTS search_vector",
]


def _run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)
    return operation


class Migration(migrations.Migration):
    dependencies = [("navigator", "0001_initial"), ("registry", "0002_specialisations")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
