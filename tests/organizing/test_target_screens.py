"""Generated screen tests for indicators, targets and manual results (tests/screen_case.py)."""

from __future__ import annotations

import datetime
import itertools

from himpun.core.services import object_create
from himpun.organizing.choices import PeriodKind, Source, TargetMode
from himpun.organizing.models import Indicator, ManualResult, Target
from himpun.organizing.results import indicators_ensure
from himpun.organizing.targets import manual_result_record, target_save
from tests.screen_case import ScreenCase

_years = itertools.count(2001)


def _org(unit):
    return unit.organisation or unit


def joins_indicator(unit) -> Indicator:
    indicators_ensure(_org(unit))
    return Indicator.objects.get(organisation=_org(unit), source=Source.JOINS)


def manual_indicator(unit) -> Indicator:
    return Indicator.objects.get_or_create(
        organisation=_org(unit),
        code="aksi",
        defaults={"name": "Aksi bersama", "source": Source.MANUAL},
    )[0]


class TestIndicatorScreens(ScreenCase):
    model = Indicator
    subtree_scoped = False
    list_queries = 7

    def owner_in(self, w):
        return w.org1

    def owner_out(self, w):
        return w.org2

    def make(self, w, owner, name):
        code = f"k{Indicator.objects.count()}"
        return object_create(
            actor=None,
            instance=Indicator(
                organisation=_org(owner), name=name, code=code, source=Source.MANUAL
            ),
        )

    def create_data(self, w):
        return {
            "organisation": w.org1.pk,
            "name": "Perundingan PKB",
            "code": "pkb",
            "source": Source.MANUAL,
            "order": 9,
        }

    def change_data(self, w, obj, name):
        return {
            "organisation": obj.organisation_id,
            "name": name,
            "code": obj.code,
            "source": obj.source,
            "order": 1,
        }


class TestTargetScreens(ScreenCase):
    model = Target
    list_queries = 7

    def make(self, w, owner, name):
        return target_save(
            actor=w.superuser,
            target=Target(
                unit=owner,
                indicator=joins_indicator(owner),
                period_kind=PeriodKind.YEAR,
                year=next(_years),
                mode=TargetMode.OWN,
                value=100,
                note=name,
            ),
        )

    def label(self, obj):
        return obj.note

    def create_data(self, w):
        return {
            "unit": w.a.pk,
            "indicator": joins_indicator(w.a).pk,
            "period_kind": PeriodKind.YEAR,
            "year": 2026,
            "number": 1,
            "mode": TargetMode.OWN,
            "value": "217",
            "note": "Dari formulir",
        }

    def change_data(self, w, obj, name):
        return {
            "unit": obj.unit_id,
            "indicator": obj.indicator_id,
            "period_kind": obj.period_kind,
            "year": obj.year,
            "number": obj.number,
            "mode": TargetMode.OWN,
            "value": "250",
            "note": name,
        }


class TestManualResultScreens(ScreenCase):
    model = ManualResult
    list_queries = 7

    def make(self, w, owner, name):
        return manual_result_record(
            actor=w.superuser,
            unit=owner,
            indicator=manual_indicator(owner),
            on=datetime.date(2025, 3, 31),
            value=4,
            note=name,
        )

    def label(self, obj):
        return obj.note

    def create_data(self, w):
        return {
            "unit": w.a.pk,
            "indicator": manual_indicator(w.a).pk,
            "on": "2025-04-30",
            "value": "3",
            "note": "Dari formulir",
        }

    def change_data(self, w, obj, name):
        return {
            "unit": obj.unit_id,
            "indicator": obj.indicator_id,
            "on": "2025-05-31",
            "value": "5",
            "note": name,
        }
