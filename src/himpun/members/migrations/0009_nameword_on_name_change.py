"""The name-word vocabulary (typo search) follows name changes only.

The statement trigger of 0005 also ran after every UPDATE of members, collecting the words
of every updated row into a transition table whether the name had changed or not: a status
change of 400,000 members by the arrears run spent about a fifth of its time there. An
UPDATE trigger cannot both name columns and keep a transition table, so updates now use a
row trigger that fires only when `search_name` changes (a rare, small write). INSERTs keep
the statement trigger: a COPY of a million members still costs one INSERT … SELECT.
"""

from django.db import migrations

PG = [
    "DROP TRIGGER IF EXISTS members_nameword_upd ON members_member",
    """
    CREATE OR REPLACE FUNCTION members_nameword_collect_row() RETURNS trigger AS $$
    BEGIN
      INSERT INTO members_nameword (word)
      SELECT DISTINCT w FROM unnest(string_to_array(NEW.search_name, ' ')) AS w
      WHERE length(w) >= 3
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    "CREATE TRIGGER members_nameword_upd AFTER UPDATE OF search_name ON members_member "
    "FOR EACH ROW WHEN (OLD.search_name IS DISTINCT FROM NEW.search_name) "
    "EXECUTE FUNCTION members_nameword_collect_row()",
]
PG_BACK = [
    "DROP TRIGGER IF EXISTS members_nameword_upd ON members_member",
    "DROP FUNCTION IF EXISTS members_nameword_collect_row()",
    "CREATE TRIGGER members_nameword_upd AFTER UPDATE ON members_member "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION members_nameword_collect()",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_BACK:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("members", "0008_join_counters")]

    operations = [migrations.RunPython(forward, backward)]
