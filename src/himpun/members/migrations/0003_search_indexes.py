"""Search indexes that differ by database.

PostgreSQL: trigram (pg_trgm) GIN indexes on the search name and its sound key, so a
substring or a misspelt name is found without reading the table.
SQLite: an FTS5 table over the same two columns, kept in step by triggers, so a word
prefix anywhere in a name is found through an index."""

from django.db import migrations

from himpun.members.validation import name_key

PG = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS member_search_name_trgm ON members_member "
    "USING gin (search_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS member_search_key_trgm ON members_member "
    "USING gin (search_key gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS member_phone_prefix ON members_member "
    "(phone varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS member_number ON members_member (number)",
]
PG_DROP = [
    "DROP INDEX IF EXISTS member_search_name_trgm",
    "DROP INDEX IF EXISTS member_search_key_trgm",
    "DROP INDEX IF EXISTS member_phone_prefix",
    "DROP INDEX IF EXISTS member_number",
]
SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS members_member_fts USING fts5("
    "words, content='', tokenize='unicode61')",
    "CREATE TRIGGER IF NOT EXISTS members_member_fts_ins AFTER INSERT ON members_member BEGIN "
    "INSERT INTO members_member_fts(rowid, words) "
    "VALUES (new.id, new.search_name || ' ' || new.search_key); END",
    "CREATE TRIGGER IF NOT EXISTS members_member_fts_upd AFTER UPDATE OF search_name, search_key "
    "ON members_member BEGIN "
    "INSERT INTO members_member_fts(members_member_fts, rowid, words) "
    "VALUES ('delete', old.id, old.search_name || ' ' || old.search_key); "
    "INSERT INTO members_member_fts(rowid, words) "
    "VALUES (new.id, new.search_name || ' ' || new.search_key); END",
    "CREATE TRIGGER IF NOT EXISTS members_member_fts_del AFTER DELETE ON members_member BEGIN "
    "INSERT INTO members_member_fts(members_member_fts, rowid, words) "
    "VALUES ('delete', old.id, old.search_name || ' ' || old.search_key); END",
    "CREATE INDEX IF NOT EXISTS member_number ON members_member (number)",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS members_member_fts_ins",
    "DROP TRIGGER IF EXISTS members_member_fts_upd",
    "DROP TRIGGER IF EXISTS members_member_fts_del",
    "DROP TABLE IF EXISTS members_member_fts",
    "DROP INDEX IF EXISTS member_number",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    Member = apps.get_model("members", "Member")
    # Existing rows get their sound key (in chunks, never the whole table in memory).
    last = 0
    while True:
        chunk = list(Member.objects.filter(pk__gt=last).order_by("pk").only("full_name")[:2000])
        if not chunk:
            break
        for member in chunk:
            member.search_key = name_key(member.full_name)
        Member.objects.bulk_update(chunk, ["search_key"])
        last = chunk[-1].pk
    statements = {"postgresql": PG, "sqlite": SQLITE}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)
    if vendor == "sqlite":
        schema_editor.execute(
            "INSERT INTO members_member_fts(rowid, words) "
            "SELECT id, search_name || ' ' || search_key FROM members_member"
        )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG_DROP, "sqlite": SQLITE_DROP}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("members", "0002_transfers_cards_join_duplicates")]

    operations = [migrations.RunPython(create, drop)]
