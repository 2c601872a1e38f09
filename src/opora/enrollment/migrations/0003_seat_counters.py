"""Fill the seat counters of the groups from the applications already there."""

from django.db import migrations

# The same statement as ``opora.enrollment.seats.recount_seats`` (a migration may not
# import application code that later changes).
RECOUNT = """
UPDATE registry_group SET
    seats_taken = (SELECT COUNT(*) FROM enrollment_application a
                   WHERE a.group_id = registry_group.id
                     AND a.status IN ('new', 'awaiting_contract', 'enrolled')),
    queue_last = COALESCE((SELECT MAX(a.queue_number) FROM enrollment_application a
                           WHERE a.group_id = registry_group.id), 0)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0002_guardianship_confirmation"),
        ("registry", "0003_group_seat_counters"),
    ]

    operations = [migrations.RunSQL(RECOUNT, migrations.RunSQL.noop)]
