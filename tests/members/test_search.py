"""The member search box: each kind of query, on both databases, through the indexes."""

from __future__ import annotations

import pytest
from django.db import connection

from himpun.members.models import Member
from himpun.members.search import fts_query, member_search
from himpun.members.services import member_register, member_update

PEOPLE = [
    ("Moehammad Soetrisno", "+6281234567890", "3275011708900001"),
    ("Siti Nur Aminah", "+6285711112222", "3275015708900002"),
    ("Sumarni", "+6287833334444", ""),
    ("Budi Santoso", "+6281299990000", ""),
]


@pytest.fixture
def people(world):
    return {
        name: member_register(
            actor=None, unit=world.a, full_name=name, gender="L", phone=phone, nik=nik
        )
        for name, phone, nik in PEOPLE
    }


def found(query: str) -> set[str]:
    return set(member_search(Member.objects.all(), query).values_list("full_name", flat=True))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("siti", {"Siti Nur Aminah"}),
        ("aminah", {"Siti Nur Aminah"}),  # a word in the middle or at the end
        ("amin", {"Siti Nur Aminah"}),  # a word prefix, as typed so far
        ("siti aminah", {"Siti Nur Aminah"}),  # words in any position
        ("SITI   NUR", {"Siti Nur Aminah"}),
        ("muhamad sutrisno", {"Moehammad Soetrisno"}),  # old spelling, single m
        ("mochamad", {"Moehammad Soetrisno"}),
        ("0812-3456-7890", {"Moehammad Soetrisno"}),
        ("+62 812 3456", {"Moehammad Soetrisno"}),  # a phone prefix in any format
        ("62812345", {"Moehammad Soetrisno"}),
        ("0857 1111", {"Siti Nur Aminah"}),
        ("3275015708900002", {"Siti Nur Aminah"}),  # NIK
        ("3275.0157.0890.0002", {"Siti Nur Aminah"}),
        ("budi santosa", {"Budi Santoso"}),  # one vowel off: the same sound key
        ("budi hartono", set()),  # another person
        ("zzz", set()),
        ('" OR 1=1 --', set()),  # quotes and operators are text, never query syntax
        ("NEAR(siti", set()),
    ],
)
def test_search_kinds(people, query, expected):
    assert found(query) == expected, query


def test_member_number_as_typed_or_upper_case(people):
    m = people["Budi Santoso"]
    assert found(m.number) == {"Budi Santoso"}
    assert found(m.number.lower()) == {"Budi Santoso"}


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_trigram_forgives_a_wrong_letter_on_postgresql(people):
    assert "Sumarni" in found("sumarmi")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_typo_is_corrected_against_the_words_of_names(people, world):
    """The vocabulary follows every write of a name (triggers): a new name's words are there
    at once, and a query word one edit away finds them; two edits in a short word do not."""
    from himpun.members.search import word_variants

    m = people["Sumarni"]
    m.full_name = "Sumarni Wulandari"
    member_update(actor=None, member=m, expected_version=m.version)
    assert word_variants(["wulandri", "sumarmi", "wlndri", "adi"]) == {
        "wulandri": ["wulandari"],
        "sumarmi": ["sumarni"],
    }
    assert found("wulandri sumarmi") == {"Sumarni Wulandari"}


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_only_a_name_change_collects_words(people, world):
    """An UPDATE that leaves the name alone (a status change of 400,000 members by the
    arrears run) does not read the names again; a rename does."""
    m = people["Budi Santoso"]

    def words():
        with connection.cursor() as cur:
            cur.execute("SELECT word FROM members_nameword WHERE word IN ('santoso', 'wibisono')")
            return {r[0] for r in cur.fetchall()}

    with connection.cursor() as cur:
        cur.execute("DELETE FROM members_nameword WHERE word = 'santoso'")
    Member.objects.filter(pk=m.pk).update(status="nonaktif", version=m.version + 1)
    assert words() == set()
    Member.objects.filter(pk=m.pk).update(search_name="budi santoso wibisono")
    assert words() == {"santoso", "wibisono"}


def test_renamed_member_is_found_by_new_name_only(people, world):
    m = people["Sumarni"]
    m.full_name = "Sumarni Wulandari"
    member_update(actor=None, member=m, expected_version=m.version)
    assert found("wulandari") == {"Sumarni Wulandari"}
    m.delete()
    assert found("wulandari") == set()


def test_fts_query_quotes_every_word():
    assert fts_query(["siti", "aminah"]) == '("siti"*) AND ("aminah"* OR "amnh")'


def test_search_uses_an_index(people):
    """The plan names the index, not a full scan of members."""
    qs = member_search(Member.objects.order_by(), "aminah")
    plan = qs.explain()
    if connection.vendor == "postgresql":
        # On a tiny table the planner may prefer a scan; force its hand to see the index.
        with connection.cursor() as cur:
            cur.execute("SET enable_seqscan = off")
        plan = qs.explain()
        assert "trgm" in plan, plan
    else:
        assert "members_member_fts" in plan, plan
        assert "VIRTUAL TABLE INDEX" in plan, plan


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_search_triggers_survive_a_rebuilt_table(people):
    """SQLite drops triggers when a migration rebuilds the members table; migrate puts them
    back, so a new member is found by name."""
    from himpun.members.search import search_triggers_ensure

    with connection.cursor() as cur:
        cur.execute("DROP TRIGGER members_member_fts_ins")
    search_triggers_ensure()
    member_register(actor=None, unit=people["Sumarni"].unit, full_name="Wartini", gender="P")
    assert found("wartini") == {"Wartini"}
