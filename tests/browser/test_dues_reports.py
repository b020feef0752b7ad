"""A federation treasurer reads the dues report (chart, table, units below) and a PUK
treasurer the reminders list, on a phone."""

from __future__ import annotations

import pytest

from himpun.demo.dues import demo_dues
from himpun.demo.services import demo_members
from himpun.structure.models import OrgUnit
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_dues_report_and_reminders_on_a_phone(page):
    demo_members()
    assert demo_dues() > 0
    sam = OrgUnit.objects.get(code="PUK-SAM", organisation__code="KSPI")
    page.set_viewport_size({"width": 360, "height": 780})
    login(page, "bendahara")
    page.goto(f"{page.base}/iuran/laporan/{sam.pk}/")
    page.wait_for_selector("#rate-chart")
    # the chart was drawn from the embedded numbers (Chart.js, served by Himpun itself)
    assert page.evaluate("() => typeof Chart !== 'undefined' && !!Chart.getChart('rate-chart')")
    rows = page.locator("[data-month-table] tbody tr")
    assert rows.count() >= 1
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    shot(page, "dues-report-360")
    page.goto(f"{page.base}/iuran/tunggakan/{sam.pk}/")
    items = page.locator("[data-reminders] li")
    assert items.count() > 0
    # everything of a row fits on the phone's screen, the WhatsApp button included
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert items.first.locator("a[href^='https://wa.me/']").count() == 1
    shot(page, "dues-reminders-360")
