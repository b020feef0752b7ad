"""A federation secretary follows a campaign: progress against its goals (chart and numbers)
on a desktop and on a phone, then records an activity from the phone."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from himpun.accounts.models import User
from himpun.demo.services import demo_members
from himpun.organizing.campaigns import campaign_activity_record, campaign_save
from himpun.organizing.models import Campaign, CampaignActivity
from himpun.structure.models import OrgUnit, Workplace
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_campaign_progress_on_desktop_and_phone(page):
    demo_members()
    fed = OrgUnit.objects.get(code="FSPMI", organisation__code="KSPI")
    sam = OrgUnit.objects.get(code="PUK-SAM", organisation__code="KSPI")
    places = list(Workplace.objects.filter(unit__path__startswith=fed.path)[:2])
    assert places
    today = timezone.localdate()
    sekfed = User.objects.get(username="sekfed")
    campaign = campaign_save(
        actor=sekfed,
        campaign=Campaign(
            unit=fed,
            name="Kampanye Metal Bekasi 2026",
            description="Menaikkan kepadatan di pabrik komponen sebelum perundingan PKB.",
            starts_on=today - datetime.timedelta(days=60),
            ends_on=today + datetime.timedelta(days=120),
            goal_members=120,
            goal_units=2,
            goal_density=Decimal(50),
        ),
        workplaces=places,
        organisers=[sekfed],
    )
    for days, kind, count, note in (
        (50, "kunjungan", 14, "Kunjungan rumah pekerja shift malam"),
        (40, "selebaran", 600, "Selebaran di gerbang pabrik"),
        (20, "pertemuan", 35, "Pertemuan pekerja kontrak"),
        (5, "media_sosial", 4, ""),
    ):
        campaign_activity_record(
            actor=sekfed,
            campaign=campaign,
            on=today - datetime.timedelta(days=days),
            kind=kind,
            count=count,
            note=note,
        )
    assert sam.pk  # the demo's PUK under the federation

    login(page, "sekfed")
    page.goto(f"{page.base}/pengorganisasian/kampanye/{campaign.pk}/kemajuan/")
    page.wait_for_selector("#campaign-chart")
    assert page.evaluate("() => typeof Chart !== 'undefined' && !!Chart.getChart('campaign-chart')")
    assert page.locator("[data-goal]").count() == 3
    assert page.locator("[data-goal-table] tbody tr").count() == 3
    shot(page, "campaign-progress-desktop")
    page.set_viewport_size({"width": 360, "height": 780})
    page.reload()
    page.wait_for_selector("#campaign-chart")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    shot(page, "campaign-progress-360", width=360)

    page.goto(f"{page.base}/pengorganisasian/kampanye/{campaign.pk}/kegiatan/")
    page.fill("#id_count", "0")
    page.click("[data-activity-form] button[type=submit]")
    page.wait_for_selector("[data-error=count]")
    assert CampaignActivity.objects.filter(campaign=campaign).count() == 4
    page.fill("#id_count", "9")
    page.select_option("#id_kind", "kunjungan")
    page.fill("#id_note", "Kunjungan ke kos pekerja")
    page.click("[data-activity-form] button[type=submit]")
    page.wait_for_selector("text=Kunjungan ke kos pekerja")
    assert CampaignActivity.objects.filter(campaign=campaign).count() == 5
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    shot(page, "campaign-activities-360", width=360)
