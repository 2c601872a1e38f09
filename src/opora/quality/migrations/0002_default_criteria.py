from django.db import migrations


def create(apps, schema_editor):
    from opora.quality.defaults import create_default_set

    create_default_set(apps.get_model("quality", "CriteriaSet"), apps.get_model("quality", "Criterion"))


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
