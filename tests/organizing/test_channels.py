"""The recruitment channels report: joins by channel and month for a unit, by channel for the
units below it, read from the counters; its page, scope, XLSX export and `joins_between`."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from himpun.core.models import ExportRecord
from himpun.members.choices import Channel, Status
from himpun.members.services import member_register, member_status_change
from himpun.organizing.channels import channel_report, joins_between
from tests import factories

YEAR = timezone.localdate().year - 1


def day(month: int, d: int = 10, year: int = YEAR) -> datetime.date:
    return datetime.date(year, month, d)


def reg(unit, channel: str = "", joined: datetime.date | None = None, **kw):
    kw.setdefault("gender", "L")
    return member_register(
        actor=None,
        unit=unit,
        full_name=f"Anggota {unit.code} {channel} {joined}",
        joined_on=joined,
        recruitment_channel=channel,
        on=datetime.date(YEAR - 1, 1, 1),
        **kw,
    )


@pytest.fixture
def union(world):
    """org1 → A (→ A1), B: members who joined in known months through known channels."""
    w = world
    w.a1 = factories.unit(w.a, "A1")
    for _ in range(3):
        reg(w.a, Channel.ADVOCACY, day(1))
    reg(w.a1, Channel.ADVOCACY, day(1, 31))
    reg(w.a, Channel.SOCIAL_MEDIA, day(3))
    for _ in range(2):
        reg(w.b, Channel.SOCIAL_MEDIA, day(3, 1))
    reg(w.b, "", day(12, 31))  # no channel: "lain"
    reg(w.b, Channel.POSTER, day(6, 15, YEAR - 1))  # the year before
    gone = reg(w.b, Channel.POSTER, day(6))
    member_status_change(actor=None, member=gone, status=Status.LEFT)  # left, still joined
    reg(w.a, Channel.REFERRAL, None, status=Status.APPLICANT)  # not joined
    reg(w.c, Channel.ADVOCACY, day(1))  # another organisation
    return w


def test_report_numbers_match_the_members(union):
    w = union
    rep = channel_report(user=w.admin1, unit=w.org1, year=YEAR)
    assert rep.by_month[Channel.ADVOCACY][0] == 4  # January, A and A1
    assert rep.by_month[Channel.SOCIAL_MEDIA][2] == 3  # March, A and B
    assert rep.by_month[Channel.POSTER][5] == 1
    assert rep.by_month[Channel.OTHER][11] == 1
    assert rep.month_totals == [4, 0, 3, 0, 0, 1, 0, 0, 0, 0, 0, 1]
    assert rep.total == 9
    assert rep.channel_totals[Channel.REFERRAL] == 0
    children = {r.unit.code: r for r in rep.children}
    assert children["A"].by_channel == {Channel.ADVOCACY: 4, Channel.SOCIAL_MEDIA: 1}
    assert children["A"].top == Channel.ADVOCACY
    assert children["B"].by_channel == {
        Channel.SOCIAL_MEDIA: 2,
        Channel.OTHER: 1,
        Channel.POSTER: 1,
    }
    assert children["B"].top == Channel.SOCIAL_MEDIA
    assert [r.unit.code for r in rep.children] == ["A", "B"]  # most joins first
    before = channel_report(user=w.admin1, unit=w.org1, year=YEAR - 1)
    assert before.total == 1


def test_the_admin_of_a_sees_only_a_below_the_root(union):
    w = union
    rep = channel_report(user=w.admin_a, unit=w.a, year=YEAR)
    assert rep.total == 5
    assert [r.unit.code for r in rep.children] == ["A1"]


def test_joins_between_counts_whole_months(union):
    w = union
    ids = [w.org1.pk, w.a.pk, w.b.pk, w.c.pk]
    year = joins_between(unit_ids=ids, starts_on=day(1, 1), ends_on=day(12, 31))
    assert year == {w.org1.pk: 9, w.a.pk: 5, w.b.pk: 4, w.c.pk: 1}
    # 31 January to 1 March touches January, February and March in full
    assert joins_between(unit_ids=ids, starts_on=day(1, 31), ends_on=day(3, 1))[w.org1.pk] == 7
    assert joins_between(unit_ids=[w.a.pk], starts_on=day(2, 1), ends_on=day(2, 28)) == {w.a.pk: 0}
    assert joins_between(unit_ids=[w.a.pk], starts_on=day(3), ends_on=day(1)) == {w.a.pk: 0}
    assert joins_between(unit_ids=[], starts_on=day(1), ends_on=day(3)) == {}
    # over a year boundary
    span = joins_between(unit_ids=[w.b.pk], starts_on=day(6, 1, YEAR - 1), ends_on=day(6, 30))
    assert span == {w.b.pk: 4}  # June a year before, March and June; not December


def test_joins_between_is_one_query(union):
    w = union
    with CaptureQueriesContext(connection) as ctx:
        joins_between(unit_ids=[w.org1.pk, w.a.pk], starts_on=day(1, 1), ends_on=day(12, 31))
    assert len(ctx.captured_queries) == 1


def test_page_shows_the_numbers_and_children(client, union):
    w = union
    client.force_login(w.admin1)
    url = reverse("organizing:channels", args=[w.org1.pk])
    response = client.get(url, {"tahun": YEAR})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-child="A"' in page
    assert 'data-child="B"' in page
    assert "chart.umd.min.js" in page
    assert 'id="channel-chart"' in page
    assert '<div class="fs-5 fw-bold text-nowrap" data-total>9</div>' in page
    chart = response.context["chart"]
    advokasi = next(d for d in chart["datasets"] if d["label"] == "Advokasi")
    assert advokasi["data"][0] == 4
    assert len(chart["labels"]) == 12
    assert "Jalur perekrutan" in page
    # a year without joins: no chart, a sentence instead
    empty = client.get(url, {"tahun": YEAR - 3}).content.decode()
    assert "data-empty" in empty
    assert 'id="channel-chart"' not in empty
    # nonsense in the year falls back to this year
    assert client.get(url, {"tahun": "abc"}).status_code == 200


def test_page_reads_counters_not_members(client, union):
    w = union
    client.force_login(w.admin1)
    url = reverse("organizing:channels", args=[w.org1.pk])
    client.get(url)  # warm the caches of roles and scopes
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, {"tahun": YEAR}).status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not any("members_member" in q for q in sql)
    assert sum("structure_unitcounter" in q for q in sql) == 2  # the unit, its children
    for i in range(5):  # more children: the same number of queries
        child = factories.unit(w.org1, f"X{i}")
        reg(child, Channel.POSTER, day(2))
    with CaptureQueriesContext(connection) as more:
        assert client.get(url, {"tahun": YEAR}).status_code == 200
    assert len(more.captured_queries) == len(ctx.captured_queries)


def test_out_of_scope_answers_404(client, union):
    w = union
    client.force_login(w.admin_a)
    assert client.get(reverse("organizing:channels", args=[w.b.pk])).status_code == 404
    assert client.get(reverse("organizing:channels", args=[w.org1.pk])).status_code == 404
    assert client.get(reverse("organizing:channels_export", args=[w.b.pk])).status_code == 404
    assert client.get(reverse("organizing:channels", args=[w.a.pk])).status_code == 200
    client.force_login(w.nobody)
    assert client.get(reverse("organizing:channels", args=[w.a.pk])).status_code == 404
    assert client.get(reverse("organizing:channels_home")).status_code == 404
    client.logout()
    response = client.get(reverse("organizing:channels", args=[w.a.pk]))
    assert response.status_code in (302, 404)
    assert ExportRecord.objects.count() == 0


def test_home_opens_the_top_of_the_users_reach(client, union):
    w = union
    client.force_login(w.admin_a)
    response = client.get(reverse("organizing:channels_home"))
    assert response.url == reverse("organizing:channels", args=[w.a.pk])
    client.force_login(w.admin1)
    response = client.get(reverse("organizing:channels_home"))
    assert response.url == reverse("organizing:channels", args=[w.org1.pk])


def test_xlsx_export_reads_back_and_is_recorded(client, union):
    w = union
    client.force_login(w.admin1)
    response = client.get(reverse("organizing:channels_export", args=[w.org1.pk]), {"tahun": YEAR})
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    table = book.get_sheet_by_index(0).to_python()
    header = table[0]
    assert header[:3] == ["Unit", "Kode", "Bulan"]
    assert header[-1] == "Jumlah"
    assert str(Channel.ADVOCACY.label) in header
    col = header.index(str(Channel.ADVOCACY.label))
    january = table[1]
    assert january[1] == w.org1.code
    assert january[col] == 4
    assert january[-1] == 4
    assert len(table) == 1 + 12 + 2  # the header, the months, A and B
    child_b = next(r for r in table if r[1] == "B")
    assert child_b[-1] == 4
    assert sum(r[-1] for r in table[1:13]) == 9
    record = ExportRecord.objects.get(model="organizing.channels")
    assert (record.user, record.file_format, record.row_count) == (w.admin1, "xlsx", 14)
    assert record.unit_path == w.org1.path
    assert record.query == f"tahun={YEAR}"


def test_export_needs_the_export_right(client, union):
    w = union
    viewer = factories.UserFactory(username="pengamat")
    factories.grant(viewer, "Pengamat", w.org1)
    client.force_login(viewer)
    assert client.get(reverse("organizing:channels", args=[w.org1.pk])).status_code == 200
    page = client.get(reverse("organizing:channels", args=[w.org1.pk])).content.decode()
    assert "data-export" not in page
    assert client.get(reverse("organizing:channels_export", args=[w.org1.pk])).status_code == 404


def test_menu_shows_the_link_on_the_first_request(client, union):
    client.force_login(union.admin1)
    page = client.get("/").content.decode()
    assert reverse("organizing:channels_home") in page
    assert "Jalur perekrutan" in page
