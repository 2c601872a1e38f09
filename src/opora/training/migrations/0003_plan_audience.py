from django.db import migrations


def mark_plan_kind(apps, schema_editor):
    from opora.training.kinds import seed_plan_kind

    seed_plan_kind(apps.get_model("plans", "PlanKind"))


class Migration(migrations.Migration):
    dependencies = [("training", "0002_kinds"), ("plans", "0005_item_audience")]

    operations = [migrations.RunPython(mark_plan_kind, migrations.RunPython.noop)]
