"""Seeds the standard specialisations (the list lives in ``opora.registry.reference``)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from opora.registry.reference import seed_specialisations

    seed_specialisations(apps.get_model("registry", "Specialisation"))


def backwards(apps, schema_editor):
    apps.get_model("registry", "Specialisation").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
