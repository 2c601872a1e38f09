# Joins the municipal task and the ended-by-parent flag (built on parallel branches).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('enrollment', '0006_application_ended_by_parent'),
        ('enrollment', '0006_municipal_task'),
    ]

    operations = [
    ]
