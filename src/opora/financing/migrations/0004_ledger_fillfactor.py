from django.db import migrations


def half_full(apps, schema_editor):
    """Every ledger with a contract is updated by each month's settlement: with its pages
    half full, each row's new version fits on its own page (a HOT update, no index
    touched) and the old one is pruned before the next month."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE financing_certificateledger SET (fillfactor = 50)")


def back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE financing_certificateledger SET (fillfactor = 85)")


class Migration(migrations.Migration):

    dependencies = [
        ("financing", "0003_social_certificates"),
    ]

    operations = [migrations.RunPython(half_full, back)]
