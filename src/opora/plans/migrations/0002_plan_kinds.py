from django.db import migrations


def add_kinds(apps, schema_editor):
    from opora.plans.kinds import seed_kinds

    seed_kinds(apps.get_model("plans", "PlanKind"))


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
