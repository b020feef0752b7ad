"""A federation secretary compares recruitment channels: the stacked chart, the month table
and the units below, on a desktop and on a phone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from himpun.demo.services import demo_members
from himpun.structure.models import OrgUnit
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_channels_page_on_desktop_and_phone(page):
    demo_members()
    fed = OrgUnit.objects.get(code="FSPMI", organisation__code="KSPI")
    year = timezone.localdate().year - 1  # a whole year of demo joins
    login(page, "sekfed")
    # the menu leads there
    page.goto(f"{page.base}/organisasi/jalur/")
    assert page.url.startswith(f"{page.base}/organisasi/jalur/{fed.pk}/")
    page.goto(f"{page.base}/organisasi/jalur/{fed.pk}/?tahun={year}")
    page.wait_for_selector("#channel-chart")
    assert page.evaluate("() => typeof Chart !== 'undefined' && !!Chart.getChart('channel-chart')")
    stacked = page.evaluate("() => Chart.getChart('channel-chart').options.scales.x.stacked")
    assert stacked is True
    assert page.locator("[data-month-table] tbody tr").count() == 12
    assert page.locator("[data-children] tbody tr").count() >= 1
    shot(page, "channels-desktop")
    page.set_viewport_size({"width": 360, "height": 780})
    page.reload()
    page.wait_for_selector("#channel-chart")
    # the tables scroll inside their card; the page itself does not scroll sideways
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    shot(page, "channels-360")
