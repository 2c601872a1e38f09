from django.db import migrations


def add_kinds(apps, schema_editor):
    from opora.events.kinds import seed_kinds

    seed_kinds(apps.get_model("events", "EventKind"))


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
