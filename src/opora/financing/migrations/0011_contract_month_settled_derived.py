"""A contract month is settled while its line is on a final or supplementary invoice that
is not cancelled (``models.settling_lines``): the flag is no longer stored. Going back
writes the flag again from the lines."""

from django.db import migrations

SETTLED_FROM_LINES = """
    UPDATE financing_contractmonth SET settled = TRUE
    WHERE EXISTS (SELECT 1 FROM financing_invoiceline l JOIN financing_invoice i ON i.id = l.invoice_id
                  WHERE l.contract_id = financing_contractmonth.contract_id
                    AND i.month = financing_contractmonth.month
                    AND i.kind IN ('final', 'supplementary') AND i.status <> 'cancelled')"""


class Migration(migrations.Migration):

    dependencies = [
        ('financing', '0010_invoice_line_references'),
    ]

    operations = [
        migrations.RunSQL(migrations.RunSQL.noop, SETTLED_FROM_LINES),
        migrations.RemoveField(
            model_name='contractmonth',
            name='settled',
        ),
    ]
