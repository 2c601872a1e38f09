from django.db import migrations


def create(apps, schema_editor):
    from opora.practices.defaults import create_default_set

    create_default_set(apps.get_model("quality", "CriteriaSet"), apps.get_model("quality", "Criterion"))


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0001_initial"),
        ("quality", "0004_criteria_purpose"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
