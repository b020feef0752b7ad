"""Generated screen tests for campaigns and their activities (see tests/screen_case.py)."""

from __future__ import annotations

import datetime

from himpun.organizing.models import Campaign, CampaignActivity
from tests.screen_case import ScreenCase

D = datetime.date


def campaign(owner, name: str = "Kampanye", **fields) -> Campaign:
    fields.setdefault("starts_on", D(2026, 1, 1))
    fields.setdefault("ends_on", D(2026, 6, 30))
    return Campaign.objects.create(unit=owner, name=name, **fields)


class TestCampaignScreens(ScreenCase):
    model = Campaign
    list_queries = 7

    def make(self, w, owner, name):
        return campaign(owner, name, goal_members=10)

    def create_data(self, w):
        return {
            "unit": w.a.pk,
            "name": "Kampanye Pabrik Baru",
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-30",
            "goal_members": "25",
            "organisers": [w.admin_a.pk],
        }

    def change_data(self, w, obj, name):
        return {
            "unit": obj.unit_id,
            "name": name,
            "starts_on": f"{obj.starts_on:%Y-%m-%d}",
            "ends_on": f"{obj.ends_on:%Y-%m-%d}",
            "goal_members": "30",
        }


class TestCampaignActivityScreens(ScreenCase):
    model = CampaignActivity
    list_queries = 7

    def make(self, w, owner, name):
        c = Campaign.objects.filter(unit=owner).first() or campaign(owner, f"Kampanye {owner}")
        return CampaignActivity.objects.create(
            campaign=c, on=D(2026, 2, 1), kind="kunjungan", count=3, note=name
        )

    def label(self, obj):
        return obj.note
