"""An organiser reads a workplace's wall chart (departments × assessment) on a desktop and on
a 360 px phone, opens a cell to see the names, and switches to rows by shift."""

from __future__ import annotations

import pytest

from himpun.members.services import member_register
from himpun.organizing import contacts
from himpun.organizing.models import Contact
from himpun.structure.models import Workplace, WorkplaceSection
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser

PEOPLE = [
    ("Ani Suryani", "Jahit", "Pagi", 1),
    ("Bayu Pratama", "Jahit", "Pagi", 2),
    ("Citra Lestari", "Jahit", "Malam", 2),
    ("Dodi Kurniawan", "Jahit", "Malam", 3),
    ("Eka Putri", "Jahit", "Pagi", 5),
    ("Fajar Nugroho", "Potong", "Pagi", 2),
    ("Gita Maharani", "Potong", "Malam", 3),
    ("Hadi Saputra", "Potong", "Malam", 4),
    ("Indah Permata", "Gudang", "Pagi", None),
    ("Joko Susilo", "Gudang", "Pagi", 3),
    ("Kiki Amelia", "Quality Control", "Pagi", 1),
    ("Lina Marlina", "", "", None),
]


def _build() -> Workplace:
    workplace = Workplace.objects.filter(headcount__isnull=False).order_by("pk").first()
    for dept, n in (("Jahit", 120), ("Potong", 60), ("Gudang", 25), ("Quality Control", 15)):
        WorkplaceSection.objects.create(workplace=workplace, department=dept, headcount=n)
    for name, dept, shift, a in PEOPLE:
        contacts.contact_create(
            actor=None,
            contact=Contact(
                unit=workplace.unit,
                full_name=name,
                workplace=workplace,
                department=dept,
                shift=shift,
                assessment=a,
            ),
        )
    for i, dept in enumerate(["Jahit"] * 14 + ["Potong"] * 9 + ["Gudang"] * 3 + [""] * 2):
        member_register(
            actor=None,
            unit=workplace.unit,
            full_name=f"Anggota {i}",
            gender="P",
            workplace=workplace,
            department=dept,
            shift="Pagi" if i % 2 else "Malam",
        )
    return workplace


def test_wall_chart_on_desktop_and_phone(page):
    workplace = _build()
    login(page, "admin")
    page.goto(f"{page.base}/organisasi/dinding/{workplace.pk}/")
    page.wait_for_selector("[data-wall]")
    rows = page.locator("[data-wall] tbody tr")
    assert rows.count() == 5  # four departments and "(tanpa bagian)"
    assert page.locator("tr[data-row='(tanpa bagian)']").count() == 1
    jahit = page.locator("tr[data-row='Jahit']")
    assert jahit.locator("[data-cell='2']").get_attribute("data-count") == "2"
    assert jahit.locator("[data-cell='anggota']").inner_text().strip() == "14"
    assert "11,7%" in jahit.locator("[data-row-stats]").inner_text()
    # a cell opens to the names
    jahit.locator("[data-cell='2'] summary").click()
    names = page.locator("[data-names-panel] li").all_inner_texts()
    assert names == ["Bayu Pratama", "Citra Lestari"]
    assert "Jahit" in page.locator("[data-names-title]").inner_text()
    shot(page, "wall-chart-desktop")

    page.set_viewport_size({"width": 360, "height": 780})
    page.reload()
    page.wait_for_selector("[data-wall]")
    # the grid scrolls inside its card; the page itself does not scroll sideways
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    page.locator("tr[data-row='Potong'] [data-cell='3'] summary").click()
    assert page.locator("[data-names-panel] li").all_inner_texts() == ["Gita Maharani"]
    shot(page, "wall-chart-360")

    page.get_by_role("link", name="Per shift").click()
    page.wait_for_selector("tr[data-row='Pagi']")
    assert page.locator("[data-wall] tbody tr").count() == 3  # Malam, Pagi, (tanpa shift)
    shot(page, "wall-chart-shift-360")
