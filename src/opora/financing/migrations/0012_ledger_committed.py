"""A ledger keeps what is committed (reserved and paid together), which is all its balance
rule needs; what is paid is the sum of its contracts' lines on live final and
supplementary invoices (``models.LedgerManager``), so closing a month writes no ledger.
Going back writes ``paid`` again from the lines and ``reserved`` as the rest."""

from django.db import migrations, models

FORWARD = "UPDATE financing_certificateledger SET committed = ROUND(reserved + paid, 2)"
BACKWARD = ["""
    UPDATE financing_certificateledger SET paid = ROUND(COALESCE((
        SELECT SUM(l.amount) FROM financing_invoiceline l
        JOIN financing_invoice i ON i.id = l.invoice_id JOIN financing_contract c ON c.id = l.contract_id
        WHERE c.ledger_id = financing_certificateledger.id
          AND i.kind IN ('final', 'supplementary') AND i.status <> 'cancelled'), 0), 2)""",
    "UPDATE financing_certificateledger SET reserved = ROUND(committed - paid, 2)"]


class Migration(migrations.Migration):

    dependencies = [
        ('financing', '0011_contract_month_settled_derived'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='certificateledger',
            name='ledger_balance_not_negative',
        ),
        migrations.AddField(
            model_name='certificateledger',
            name='committed',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=14,
                                      verbose_name='зарезервировано и оплачено, ₽'),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.RemoveField(
            model_name='certificateledger',
            name='paid',
        ),
        migrations.RemoveField(
            model_name='certificateledger',
            name='reserved',
        ),
        migrations.AddConstraint(
            model_name='certificateledger',
            constraint=models.CheckConstraint(condition=models.Q(('committed__gte', 0), ('nominal__gte', models.F('committed'))), name='ledger_balance_not_negative'),
        ),
    ]
