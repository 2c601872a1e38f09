"""PostgreSQL: the current (or next) interval of ``enrolment_windows`` as two plain
columns, so «enrolment open now» compares two timestamps per row and reads the
multirange only for rows whose interval has ended since the last refresh."""

from django.db import migrations

FORWARD = [
    "ALTER TABLE navigator_catalogentry ADD COLUMN open_from timestamptz, ADD COLUMN open_until timestamptz",
]
BACKWARD = [
    "ALTER TABLE navigator_catalogentry DROP COLUMN IF EXISTS open_from, DROP COLUMN IF EXISTS open_until",
]


def _run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)
    return operation


class Migration(migrations.Migration):
    dependencies = [("navigator", "0002_postgres_search")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
