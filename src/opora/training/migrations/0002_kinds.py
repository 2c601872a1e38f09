from django.db import migrations


def add_kinds(apps, schema_editor):
    from opora.training.kinds import seed_kinds, seed_plan_kind

    seed_kinds(apps.get_model("training", "TrainingKind"))
    seed_plan_kind(apps.get_model("plans", "PlanKind"))


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial"), ("plans", "0004_report_accepted")]

    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
