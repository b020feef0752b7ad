"""Generated screen tests for the dues rules (see tests/screen_case.py)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from himpun.core.services import object_create
from himpun.dues.models import CashCategory, DuesPolicy, MinimumWage, SplitRule
from himpun.dues.policy_screens import shares_parse
from himpun.dues.services import split_for
from tests.screen_case import ScreenCase

D = datetime.date


class TestDuesPolicyScreens(ScreenCase):
    model = DuesPolicy
    list_queries = 6

    def make(self, w, owner, name):
        return object_create(
            actor=None,
            instance=DuesPolicy(
                unit=owner,
                effective_from=D(2000, 1, 1) + datetime.timedelta(DuesPolicy.objects.count()),
                basis="tetap",
                amount=25_000,
                note=name,
            ),
        )

    def create_data(self, w):
        return {
            "unit": w.a.pk,
            "effective_from": "2026-01-01",
            "basis": "tetap",
            "amount": 30000,
            "rate_bp": 0,
            "joining_fee": 0,
        }

    def change_data(self, w, obj, name):
        return {
            "unit": obj.unit_id,
            "effective_from": "2026-01-01",
            "basis": "tetap",
            "amount": 35000,
            "rate_bp": 0,
            "joining_fee": 0,
            "note": name,
        }

    def label(self, obj):
        return obj.note


class TestSplitRuleScreens(ScreenCase):
    model = SplitRule
    list_queries = 6

    def make(self, w, owner, name):
        return object_create(
            actor=None,
            instance=SplitRule(
                unit=owner,
                effective_from=D(2000, 1, 1) + datetime.timedelta(SplitRule.objects.count()),
                note=name,
            ),
        )

    def create_data(self, w):
        return {
            "unit": w.a.pk,
            "effective_from": "2026-01-01",
            "note": "AD/ART 2021",
            "shares_text": "puk 50\nfederasi 35\nkonfederasi 15",
        }

    def change_data(self, w, obj, name):
        return {
            "unit": obj.unit_id,
            "effective_from": "2026-01-01",
            "note": name,
            "shares_text": "puk 60\nkonfederasi 40",
        }

    def label(self, obj):
        return obj.note


class TestMinimumWageScreens(ScreenCase):
    model = MinimumWage
    subtree_scoped = False
    list_queries = 7

    def owner_in(self, w):
        return w.org1

    def owner_out(self, w):
        return w.org2

    def make(self, w, owner, name):
        year = 2000 + MinimumWage.objects.count()
        return object_create(
            actor=None,
            instance=MinimumWage(
                organisation=owner, region_code="32.16", year=year, amount=5_000_000 + len(name)
            ),
        )

    def create_data(self, w):
        return {
            "organisation": w.org1.pk,
            "region_code_0": "32",
            "region_code_1": "32.16",
            "year": 2027,
            "amount": 5_690_752,
        }

    def change_data(self, w, obj, name):
        return {
            "organisation": obj.organisation_id,
            "region_code_0": "32",
            "region_code_1": "32.16",
            "year": obj.year,
            "amount": 5_700_000,
        }

    def label(self, obj):
        return str(obj.year)


class TestCashCategoryScreens(ScreenCase):
    model = CashCategory
    subtree_scoped = False
    list_queries = 7

    def owner_in(self, w):
        return w.org1

    def owner_out(self, w):
        return w.org2

    def make(self, w, owner, name):
        code = f"k{CashCategory.objects.count()}"
        return object_create(
            actor=None, instance=CashCategory(organisation=owner, name=name, code=code)
        )

    def create_data(self, w):
        return {
            "organisation": w.org1.pk,
            "name": "Konsumsi",
            "code": "konsumsi",
            "direction": "keluar",
        }

    def change_data(self, w, obj, name):
        return {
            "organisation": obj.organisation_id,
            "name": name,
            "code": obj.code,
            "direction": "",
        }


def test_split_rule_form_text_becomes_shares(client, world):
    client.force_login(world.admin1)
    from himpun.core.registry import registry

    url = registry.for_model(SplitRule).url("add")
    bad = client.post(
        url,
        {"unit": world.a.pk, "effective_from": "2026-01-01", "shares_text": "puk 50\nfederasi 30"},
    )
    assert "harus 100%" in bad.content.decode()
    bad = client.post(
        url, {"unit": world.a.pk, "effective_from": "2026-01-01", "shares_text": "dpw 50\npuk 50"}
    )
    assert "tidak dikenal" in bad.content.decode()
    ok = client.post(
        url,
        {
            "unit": world.org1.pk,
            "effective_from": "2026-01-01",
            "shares_text": "puk 50\nfederasi 22,5\nkonfederasi 27,5 dua bagian",
        },
    )
    assert ok.status_code == 302
    rule = SplitRule.objects.get(unit=world.org1)
    assert sorted(rule.shares.values_list("share_bp", flat=True)) == [2250, 2750, 5000]
    shares = {s.unit_id: s.share_bp for s in split_for(world.a, D(2026, 2, 1))}
    assert shares == {world.a.pk: 7250, world.org1.pk: 2750}  # A is a federation: no PUK above


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("puk 100", True),
        ("puk 33,33\nfederasi 66,67", True),
        ("puk 33,333\nfederasi 66,667", False),
        ("puk -50\nfederasi 150", False),
        ("puk lima puluh", False),
        ("", False),
    ],
)
def test_shares_parse(world, text, ok):
    if ok:
        assert sum(bp for _k, bp, _l in shares_parse(text, world.org1.pk)) == 10000
    else:
        with pytest.raises(ValidationError):
            shares_parse(text, world.org1.pk)
