"""The ledgers and the contract months were kept with free room in their pages (fillfactor
50 and 85) because closing a month updated every one of them; it now writes neither
(0011, 0012), so their pages fill up again as new rows come."""

from django.db import migrations


def _fillfactor(ledgers, months):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, value in (("financing_certificateledger", ledgers), ("financing_contractmonth", months)):
            schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)" if value is None
                                  else f"ALTER TABLE {table} SET (fillfactor = {value})")
    return operation


class Migration(migrations.Migration):

    dependencies = [
        ("financing", "0012_ledger_committed"),
    ]

    operations = [migrations.RunPython(_fillfactor(None, None), _fillfactor(50, 85))]
