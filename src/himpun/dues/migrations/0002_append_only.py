"""Money is append-only: PostgreSQL itself refuses UPDATE and DELETE of entries, postings and
month closings, and of a payment's money (a merge of duplicate members may move a payment to
the surviving record: its member is the one column that may change). On SQLite the
application refuses them (`dues.models.AppendOnlyQuerySet`)."""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION dues_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'himpun: % of %.% refused: money is append-only, post a reversal',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE FUNCTION dues_payment_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'member_id') = (to_jsonb(OLD) - 'member_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'himpun: % of dues_payment refused: money is append-only, post a reversal',
        TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
"""

TRIGGERS = """
CREATE TRIGGER dues_entry_append_only BEFORE UPDATE OR DELETE ON dues_entry
    FOR EACH ROW EXECUTE FUNCTION dues_refuse_change();
CREATE TRIGGER dues_posting_append_only BEFORE UPDATE OR DELETE ON dues_posting
    FOR EACH ROW EXECUTE FUNCTION dues_refuse_change();
CREATE TRIGGER dues_monthclosing_append_only BEFORE UPDATE OR DELETE ON dues_monthclosing
    FOR EACH ROW EXECUTE FUNCTION dues_refuse_change();
CREATE TRIGGER dues_payment_append_only BEFORE UPDATE OR DELETE ON dues_payment
    FOR EACH ROW EXECUTE FUNCTION dues_payment_guard();
"""

DROP = """
DROP TRIGGER IF EXISTS dues_entry_append_only ON dues_entry;
DROP TRIGGER IF EXISTS dues_posting_append_only ON dues_posting;
DROP TRIGGER IF EXISTS dues_monthclosing_append_only ON dues_monthclosing;
DROP TRIGGER IF EXISTS dues_payment_append_only ON dues_payment;
DROP FUNCTION IF EXISTS dues_refuse_change();
DROP FUNCTION IF EXISTS dues_payment_guard();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS, params=None)
        schema_editor.execute(TRIGGERS, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("dues", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
