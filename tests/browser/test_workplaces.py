"""A federation secretary reads the density of the federation's workplaces: the bar chart with
its 10% and 50% lines, the table beside it and the PKBs about to end, at a desk and on a phone."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from himpun.core.services import object_create
from himpun.demo.services import demo_members
from himpun.structure.models import Employer, OrgUnit, Workplace, WorkplaceSection
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def _places() -> OrgUnit:
    demo_members()
    fed = OrgUnit.objects.get(code="FSPMI", organisation__code="KSPI")
    bks = OrgUnit.objects.get(code="FSPMI-BKS", organisation__code="KSPI")
    today = timezone.localdate()
    first = Workplace.objects.filter(unit__path__startswith=fed.path).order_by("pk").first()
    Workplace.objects.filter(pk=first.pk).update(
        unions_present=2,
        pkb_signed_on=today - datetime.timedelta(days=700),
        pkb_expires_on=today + datetime.timedelta(days=30),
    )
    for department, shift, headcount in (("Produksi", "Shift 1", 400), ("Produksi", "", 300)):
        WorkplaceSection.objects.create(
            workplace=first, department=department, shift=shift, headcount=headcount
        )
    employer = object_create(
        actor=None, instance=Employer(unit=bks, name="PT Karya Logam Nusantara Sejahtera Abadi")
    )
    for name, headcount, unions in (
        ("Pabrik Cikarang Barat Blok F-12 (perakitan rangka)", 1200, 3),
        ("Gudang Jababeka II", None, 1),
    ):
        object_create(
            actor=None,
            instance=Workplace(
                unit=bks,
                employer=employer,
                name=name,
                headcount=headcount,
                unions_present=unions,
                region_code="32.16",
            ),
        )
    return fed, first


def test_density_chart_table_and_pkb_alerts_at_desk_and_on_a_phone(page):
    fed, first = _places()
    login(page, "sekfed")
    page.goto(f"{page.base}/struktur/kepadatan/{fed.pk}/")
    page.wait_for_selector("#density-chart")
    assert page.evaluate("() => typeof Chart !== 'undefined' && !!Chart.getChart('density-chart')")
    # the chart's bars are the table's rows, in the same order
    rows = page.locator("[data-density-table] tbody tr")
    assert rows.count() == page.evaluate("() => Chart.getChart('density-chart').data.labels.length")
    assert rows.count() >= 3
    assert page.locator("[data-pkb-ending] li").count() == 1
    assert page.locator("[data-status='belum-diisi']").count() >= 1
    shot(page, "workplaces-density-desktop")

    page.set_viewport_size({"width": 360, "height": 780})
    page.reload()
    page.wait_for_selector("#density-chart")
    assert page.evaluate("() => !!Chart.getChart('density-chart')")
    # nothing but the table's own scroller is wider than the phone
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    shot(page, "workplaces-density-360", width=360)

    # from the unit's page, the tab leads to the density page
    page.goto(f"{page.base}/struktur/unit/{fed.pk}/tempat-kerja/")
    assert page.locator("[data-pkb-ending] li").count() == 1
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    shot(page, "workplaces-unit-tab-360", width=360)
    page.click("[data-density-link]")
    page.wait_for_url(f"{page.base}/struktur/kepadatan/{fed.pk}/")

    # a workplace's own tab: status with its article, PKB alert, sections with their members
    page.goto(f"{page.base}/struktur/tempat-kerja/{first.pk}/kepadatan/")
    assert page.locator("[data-pkb='segera-berakhir']").count() == 1
    assert page.locator("[data-sections] tbody tr").count() >= 2
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    shot(page, "workplaces-detail-360", width=360)
    page.set_viewport_size({"width": 1280, "height": 860})
    shot(page, "workplaces-detail-desktop")
