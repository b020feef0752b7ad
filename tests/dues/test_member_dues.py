"""A member's wage and check-off authorisation: set by the treasurer, used by wage-based
dues, kept out of the history's values."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from himpun.core.models import AuditEntry
from himpun.dues.models import DuesPolicy, MemberDues
from himpun.dues.services import monthly_dues
from tests import factories
from tests.dues.test_ledger import TODAY, Union


@pytest.fixture
def union(db):
    return Union()


def test_treasurer_records_wage_and_authorisation(client, union):
    m = union.members[0]
    DuesPolicy.objects.create(
        unit=union.puk, effective_from=datetime.date(2021, 1, 1), basis="upah", rate_bp=100
    )
    assert monthly_dues(m, TODAY) is None  # no wage known yet
    client.force_login(union.treasurer)
    url = reverse("dues:member_dues_edit", args=[m.pk])
    assert client.get(url).status_code == 200
    future = (TODAY + datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    refused = client.post(url, {"wage": "Rp 5.550.000", "checkoff_authorised_on": future})
    assert refused.status_code == 200
    assert MemberDues.objects.filter(member=m, wage__isnull=False).count() == 0
    ok = client.post(url, {"wage": "Rp 5.550.000", "checkoff_authorised_on": "02/01/2026"})
    assert ok.status_code == 302
    account = MemberDues.objects.get(member=m)
    assert account.wage == 5_550_000
    assert account.checkoff_authorised_on == datetime.date(2026, 1, 2)
    assert monthly_dues(m, TODAY) == 55_500  # 1% of the wage
    entry = AuditEntry.objects.filter(object_id=str(m.pk), action="update").latest("pk")
    assert "5550000" not in str(entry.changes)  # the wage stays out of the history
    assert "2026-01-02" in str(entry.changes)


def test_others_cannot_edit_dues_data(client, union):
    m = union.members[0]
    secretary = factories.UserFactory(username="sek-iuran")
    factories.grant(secretary, "Sekretaris", union.puk)
    client.force_login(secretary)
    url = reverse("dues:member_dues_edit", args=[m.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"wage": "1000"}).status_code == 404
    stranger = factories.UserFactory(username="luar-iuran")
    client.force_login(stranger)
    assert client.get(url).status_code == 404
