"""An invoice line's contract and invoice are proven per statement, not per row.

A foreign key makes PostgreSQL check every inserted line on its own (a query and a
`FOR KEY SHARE` lock of the contract row per line): closing a region's month wrote
441,694 lines and spent 5.6 s of its 18 s at COMMIT on those checks. The constraints are
replaced by triggers that prove the same with one anti-join per statement:

- after an INSERT or an UPDATE of lines, none of the statement's lines may name a
  contract or an invoice that does not exist (`foreign_key_violation`);
- a deleted contract or invoice may not be named by a line, checked at COMMIT like the
  foreign key was (deletions are rare: the demo's reset, a test's flush). The check
  first takes the lines' table in SHARE mode, so a line written by a transaction not yet
  committed is waited for and then seen, and a line written after it waits for the
  deletion and then finds its contract missing: what the per-row lock did before;
- a contract's or an invoice's id never changes;
- a TRUNCATE of contracts or invoices (a CASCADE reaches them through their own foreign
  keys, not through these triggers) is refused while lines are left: truncate the lines
  in the same statement.

SQLite (tests and the demo) has no statement triggers: a row trigger refuses a line whose
contract or invoice is missing; deleting what lines name is left to Django's PROTECT and
CASCADE there (its test flush deletes tables in no particular order).
"""

import django.db.models.deletion
from django.db import migrations, models

POSTGRES = [
    """CREATE FUNCTION financing_invoiceline_references() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM new_lines l
                   WHERE NOT EXISTS (SELECT 1 FROM financing_contract c WHERE c.id = l.contract_id)) THEN
            RAISE foreign_key_violation USING TABLE = 'financing_invoiceline',
                MESSAGE = 'an invoice line names a contract that does not exist';
        END IF;
        IF EXISTS (SELECT 1 FROM (SELECT DISTINCT invoice_id FROM new_lines) l  -- a few thousand
                   WHERE NOT EXISTS (SELECT 1 FROM financing_invoice i WHERE i.id = l.invoice_id)) THEN
            RAISE foreign_key_violation USING TABLE = 'financing_invoiceline',
                MESSAGE = 'an invoice line names an invoice that does not exist';
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER financing_invoiceline_inserted AFTER INSERT ON financing_invoiceline
       REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT
       EXECUTE FUNCTION financing_invoiceline_references()""",
    """CREATE TRIGGER financing_invoiceline_updated AFTER UPDATE ON financing_invoiceline
       REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT
       EXECUTE FUNCTION financing_invoiceline_references()""",
    """CREATE FUNCTION financing_invoiceline_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        LOCK TABLE financing_invoiceline IN SHARE MODE;
        IF TG_TABLE_NAME = 'financing_contract' THEN
            IF EXISTS (SELECT 1 FROM financing_invoiceline WHERE contract_id = OLD.id) THEN
                RAISE foreign_key_violation USING TABLE = 'financing_contract',
                    MESSAGE = 'a contract named by invoice lines cannot be deleted';
            END IF;
        ELSIF EXISTS (SELECT 1 FROM financing_invoiceline WHERE invoice_id = OLD.id) THEN
            RAISE foreign_key_violation USING TABLE = 'financing_invoice',
                MESSAGE = 'an invoice with lines cannot be deleted';
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION financing_invoiceline_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM financing_invoiceline) THEN
            RAISE foreign_key_violation USING TABLE = TG_TABLE_NAME,
                MESSAGE = 'invoice lines name this table: truncate financing_invoiceline with it';
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION financing_id_kept() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE foreign_key_violation USING TABLE = TG_TABLE_NAME,
            MESSAGE = 'the id of a row invoice lines may name never changes';
    END $$""",
]
for _table in ("financing_contract", "financing_invoice"):
    POSTGRES += [
        f"""CREATE CONSTRAINT TRIGGER {_table}_deleted AFTER DELETE ON {_table}
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION financing_invoiceline_referenced()""",
        f"""CREATE TRIGGER {_table}_id_kept BEFORE UPDATE OF id ON {_table}
            FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION financing_id_kept()""",
        f"""CREATE TRIGGER {_table}_truncated AFTER TRUNCATE ON {_table}
            FOR EACH STATEMENT EXECUTE FUNCTION financing_invoiceline_truncated()""",
    ]
POSTGRES_BACK = [
    "DROP TRIGGER financing_invoiceline_inserted ON financing_invoiceline",
    "DROP TRIGGER financing_invoiceline_updated ON financing_invoiceline",
    *(f"DROP TRIGGER {t}_{what} ON {t}" for t in ("financing_contract", "financing_invoice")
      for what in ("deleted", "id_kept", "truncated")),
    "DROP FUNCTION financing_invoiceline_references()",
    "DROP FUNCTION financing_invoiceline_referenced()",
    "DROP FUNCTION financing_id_kept()",
    "DROP FUNCTION financing_invoiceline_truncated()",
]
_MISSING = """NOT EXISTS (SELECT 1 FROM financing_contract WHERE id = NEW.contract_id)
              OR NOT EXISTS (SELECT 1 FROM financing_invoice WHERE id = NEW.invoice_id)"""
SQLITE = [
    f"""CREATE TRIGGER financing_invoiceline_inserted BEFORE INSERT ON financing_invoiceline
        WHEN {_MISSING} BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed'); END""",
    f"""CREATE TRIGGER financing_invoiceline_updated BEFORE UPDATE OF invoice_id, contract_id
        ON financing_invoiceline WHEN {_MISSING}
        BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed'); END""",
]
SQLITE_BACK = ["DROP TRIGGER financing_invoiceline_inserted", "DROP TRIGGER financing_invoiceline_updated"]


def _run(postgres, sqlite):
    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for statement in postgres if vendor == "postgresql" else sqlite if vendor == "sqlite" else ():
            schema_editor.execute(statement)
    return operation


class Migration(migrations.Migration):

    dependencies = [
        ("financing", "0009_merge_20261205_2357"),
    ]

    operations = [
        migrations.AlterField(
            model_name="invoiceline",
            name="invoice",
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="lines", to="financing.invoice", verbose_name="счёт"),
        ),
        migrations.AlterField(
            model_name="invoiceline",
            name="contract",
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="invoice_lines", to="financing.contract", verbose_name="договор"),
        ),
        migrations.RunPython(_run(POSTGRES, SQLITE), _run(POSTGRES_BACK, SQLITE_BACK)),
    ]
