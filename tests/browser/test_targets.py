"""A regional coordinator (Korwil) splits the year's 651 new members over three federations
and reads the target table with its monthly chart, at desktop width and on a phone."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from himpun.members.services import join_key
from himpun.organizing.choices import Source
from himpun.organizing.models import Indicator, Target
from himpun.organizing.results import indicators_ensure
from himpun.structure.models import OrgUnit
from himpun.structure.services import unit_counts_adjust
from tests import factories
from tests.browser.conftest import PASSWORD, login, shot

pytestmark = pytest.mark.browser


def _region():
    org = factories.org("KSBX", kinds=("Konfederasi", "Korwil", "Federasi", "PUK"))
    korwil = factories.unit(org, "KORWIL-DKI")
    OrgUnit.objects.filter(pk=korwil.pk).update(name="Korwil DKI Jakarta")
    feds = []
    for code, name in (
        ("FSB-KAMIPARHO", "FSB Kamiparho"),
        ("F-HUKATAN", "F Hukatan"),
        ("FSB-NIKEUBA", "FSB Nikeuba"),
    ):
        f = factories.unit(korwil, code)
        OrgUnit.objects.filter(pk=f.pk).update(name=name)
        feds.append(OrgUnit.objects.get(pk=f.pk))
    user = factories.UserFactory(username="korwil-dki")
    user.set_password(PASSWORD)
    user.save()
    factories.grant(user, "Sekretaris", korwil)
    indicators_ensure(org)
    today = timezone.localdate()
    deltas = {}
    for i, f in enumerate(feds):
        for month in range(1, today.month + 1):
            key = join_key(datetime.date(today.year, month, 1))
            deltas[(f.path, key)] = [22, 11, 17][i] + month % 3
    unit_counts_adjust(deltas=deltas)
    return OrgUnit.objects.get(pk=korwil.pk), feds


def test_the_coordinator_sets_and_reads_the_targets(page):
    korwil, feds = _region()
    login(page, "korwil-dki")
    page.goto(f"{page.base}/organisasi/target/{korwil.pk}/")
    page.click("[data-set-targets]")
    for f, value in zip(feds, ("250", "221", "180"), strict=True):
        page.fill(f"input[name=unit_{f.pk}]", value)
    assert page.inner_text("[data-live-sum] span") == "651"
    shot(page, "targets-set-1280")
    page.click("[data-set-form] button[type=submit]")
    page.wait_for_selector("[data-target-table]")
    assert "651" in page.inner_text("[data-target]")
    assert Target.objects.filter(unit=korwil, mode="jumlah").exists()
    assert page.locator("[data-target-table] tbody tr").count() == 3
    assert page.evaluate("() => !!Chart.getChart('target-chart')")
    visible = "() => Chart.getChart('target-chart').data.datasets.filter(d => !d.hidden).length"
    assert page.evaluate(visible) == 3  # the region, the target, the pace
    page.click("[data-show-children]")
    assert page.evaluate(visible) == 6
    page.click("details summary")
    shot(page, "targets-table-1280")

    page.set_viewport_size({"width": 360, "height": 780})
    page.reload()
    page.wait_for_selector("#target-chart")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    shot(page, "targets-table-360")
    page.click("[data-set-targets]")
    box = page.locator(f"input[name=unit_{feds[0].pk}]").bounding_box()
    assert box["width"] >= 280  # full width
    assert box["height"] >= 44  # big enough for a thumb
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    shot(page, "targets-set-360")
    page.goto(f"{page.base}/organisasi/target/")
    page.wait_for_selector("[data-target-summary]")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    shot(page, "targets-tab-360")
    joins = Indicator.objects.get(organisation=korwil.organisation, source=Source.JOINS)
    assert page.locator(f"[data-indicator={joins.code}]").count() == 1
