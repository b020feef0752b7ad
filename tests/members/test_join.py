"""Digital recruitment: join links, the public join form and its abuse protections, the QR
poster and the secretary's queue of applicants."""

from __future__ import annotations

import datetime
import io
import time

import pypdf
import pypdfium2
import pytest
import zxingcpp
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from himpun.core.services import object_archive, object_create
from himpun.members import join
from himpun.members.choices import Channel, ConsentMethod, Status
from himpun.members.models import (
    DEFAULT_CONSENT,
    JoinAttempt,
    JoinLink,
    Member,
    MembershipRule,
    StatusChange,
)
from himpun.members.services import member_register
from tests.screen_case import ScreenCase

ADDRESS = "203.0.113.7"


class TestJoinLinkScreens(ScreenCase):
    model = JoinLink
    list_queries = 6

    def make(self, w, owner, name):
        return object_create(actor=None, instance=JoinLink(unit=owner, label=name))

    def create_data(self, w):
        return {"unit": w.a.pk, "label": "Poster gerbang pabrik", "channel": Channel.POSTER}

    def change_data(self, w, obj, name):
        return {"label": name, "channel": Channel.REFERRAL}


# -- helpers -----------------------------------------------------------------------------------


@pytest.fixture
def link(world):
    return object_create(
        actor=None, instance=JoinLink(unit=world.a, label="Grup WhatsApp", channel=Channel.POSTER)
    )


def form_url(link):
    return f"/gabung/{link.token}/"


def thanks_url(link):
    return f"/gabung/{link.token}/terima-kasih/"


def data(link, **overrides):
    """A filled form, shown 10 seconds ago (no sleeping: the stamp is dated back)."""
    values = {
        "full_name": "Sri Wahyuningsih",
        "gender": "P",
        "birth_date": "1990-08-01",
        "phone": "0812-3456-7890",
        "nik": "",
        "workplace": "PT Sinar Jahit Sejahtera",
        "department": "Jahit 3",
        "employment_status": "pkwt",
        "consent": "on",
        "website": "",
        "stamp": join.stamp_make(link, join.consent_text_for(link.unit), at=time.time() - 10),
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def submit(client, link, address=ADDRESS, **overrides):
    return client.post(form_url(link), data(link, **overrides), REMOTE_ADDR=address)


def applicants():
    return Member.objects.filter(status=Status.APPLICANT)


# -- the public form ---------------------------------------------------------------------------


def test_form_is_public_standalone_and_shows_consent(client, link):
    response = client.get(form_url(link))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex' in html
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert link.unit.name in html
    assert DEFAULT_CONSENT in html
    assert "navbar" not in html  # no application navigation for the public
    assert "<script" not in html  # works without JavaScript
    assert 'name="website"' in html
    assert 'type="hidden" name="website"' not in html
    assert 'type="date"' in html


def test_valid_submission_creates_one_applicant_with_consent(client, world, link):
    before = timezone.now()
    response = submit(client, link)
    assert response.status_code == 302
    assert response["Location"] == thanks_url(link)
    member = Member.objects.get()
    assert member.status == Status.APPLICANT
    assert member.unit == world.a
    assert member.number == ""
    assert member.full_name == "Sri Wahyuningsih"
    assert member.phone == "+6281234567890"
    assert member.birth_date == datetime.date(1990, 8, 1)
    assert member.department == "Jahit 3"
    assert member.employment_status == "pkwt"
    assert member.consent_text == DEFAULT_CONSENT
    assert member.consent_method == ConsentMethod.ONLINE
    assert member.consent_at is not None
    assert member.consent_at >= before
    assert member.recruitment_channel == Channel.POSTER
    assert member.join_link == link
    assert member.employer is None  # no employer is created from public input
    note = StatusChange.objects.get(member=member).reason
    assert "PT Sinar Jahit Sejahtera" in note


def test_consent_text_of_the_organisation_is_shown_and_stored(client, world, link):
    text = "Saya setuju data saya dipakai oleh Serikat Uji untuk keanggotaan."
    MembershipRule.objects.create(organisation=world.org1, consent_text=text)
    assert text in client.get(form_url(link)).content.decode()
    assert submit(client, link).status_code == 302
    assert Member.objects.get().consent_text == text


def test_consent_changed_after_the_form_was_shown_asks_again(client, world, link):
    stale = data(link)  # stamped with the default text
    MembershipRule.objects.create(organisation=world.org1, consent_text="Teks baru.")
    response = client.post(form_url(link), stale, REMOTE_ADDR=ADDRESS)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Teks persetujuan baru saja diperbarui" in html
    assert "Teks baru." in html
    assert not Member.objects.exists()


def test_thank_you_page_shows_nothing_entered(client, link):
    response = submit(client, link, follow=False)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Terima kasih" in html
    for entered in ("Wahyuningsih", "0812", "812-3456", "3456", "Sinar", "Jahit", "1990"):
        assert entered not in html, entered


def test_consent_is_required(client, link):
    response = submit(client, link, consent=None)
    assert response.status_code == 200
    assert "Saya setuju" in response.content.decode()
    assert not Member.objects.exists()


def test_phone_is_required_and_validated(client, link):
    assert submit(client, link, phone="").status_code == 200
    assert not Member.objects.exists()
    response = submit(client, link, phone="12345")
    assert response.status_code == 200
    assert "Nomor HP" in response.content.decode()
    assert not Member.objects.exists()


def test_nik_is_optional_but_checked(client, link):
    response = submit(client, link, nik="1234")
    assert "NIK harus 16 angka" in response.content.decode()
    assert not Member.objects.exists()
    assert submit(client, link, nik="3275 0141 0890 0003").status_code == 302
    assert Member.objects.get().nik == "3275014108900003"


def test_html_in_name_is_refused_and_nothing_stored(client, link):
    response = submit(client, link, full_name="<script>alert(1)</script>")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nama tidak boleh berisi tanda" in html
    assert "<script>alert(1)" not in html  # shown back escaped, never as markup
    assert not Member.objects.exists()


def test_spreadsheet_formulas_and_oversized_input_are_refused(client, link):
    assert submit(client, link, workplace="=HYPERLINK(1)").status_code == 200
    response = submit(client, link, full_name="A" * 151)
    assert response.status_code == 200
    assert "paling banyak 150 karakter" in response.content.decode()
    assert submit(client, link, department="x" * 81).status_code == 200
    assert not Member.objects.exists()


def test_honeypot_pretends_success_and_stores_nothing(client, link):
    response = submit(client, link, website="https://spam.example")
    assert response.status_code == 302
    assert response["Location"] == thanks_url(link)
    assert not Member.objects.exists()


@pytest.mark.parametrize("when", ["too_fast", "tampered", "missing", "other_link"])
def test_bad_timestamps_pretend_success_and_store_nothing(client, world, link, when):
    other = object_create(actor=None, instance=JoinLink(unit=world.a, label="Lain"))
    consent = join.consent_text_for(link.unit)
    stamp = {
        "too_fast": join.stamp_make(link, consent),  # shown just now
        "tampered": join.stamp_make(link, consent, at=time.time() - 10)[:-2] + "xx",
        "missing": "",
        "other_link": join.stamp_make(other, consent, at=time.time() - 10),
    }[when]
    response = submit(client, link, stamp=stamp)
    assert response.status_code == 302
    assert response["Location"] == thanks_url(link)
    assert not Member.objects.exists()


def test_expired_form_is_shown_again_and_may_be_sent_at_once(client, link):
    old = join.stamp_make(link, join.consent_text_for(link.unit), at=time.time() - 3 * 3600)
    response = submit(client, link, stamp=old)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Silakan kirim ulang formulir" in html
    assert "Sri Wahyuningsih" in html  # the input is kept
    assert not Member.objects.exists()
    fresh = response.context["stamp"]
    assert submit(client, link, stamp=fresh).status_code == 302
    assert Member.objects.count() == 1


def test_flood_from_one_address_answers_429(client, link):
    for i in range(join.PER_ADDRESS_PER_HOUR):
        assert submit(client, link, phone=f"0812-3456-78{i:02d}").status_code == 302
    assert applicants().count() == 5
    response = submit(client, link, phone="0812-3456-7899")
    assert response.status_code == 429
    assert "Terlalu banyak pendaftaran" in response.content.decode()
    assert response["Retry-After"] == "3600"
    assert applicants().count() == 5
    # another address still gets through
    assert submit(client, link, address="198.51.100.20", phone="0812-3456-7899").status_code == 302
    assert applicants().count() == 6


def test_attempts_store_a_keyed_hash_not_the_address(client, link):
    submit(client, link)
    keys = set(JoinAttempt.objects.values_list("key", flat=True))
    assert join.address_key(ADDRESS) in keys
    assert all(len(k) == 64 and ADDRESS not in k for k in keys)
    assert not any("203.0.113" in k or "2030113" in k for k in keys)


def test_limit_per_link_per_day(client, link, monkeypatch):
    monkeypatch.setattr(join, "PER_LINK_PER_DAY", 2)
    for i in range(2):
        assert (
            submit(client, link, address=f"198.51.100.{i}", phone=f"0812-3456-780{i}").status_code
            == 302
        )
    response = submit(client, link, address="198.51.100.9", phone="0812-3456-7809")
    assert response.status_code == 429
    assert "hari ini" in response.content.decode()
    assert applicants().count() == 2


def test_old_attempts_are_forgotten(client, link):
    stale = JoinAttempt.objects.create(key="0" * 64)
    JoinAttempt.objects.filter(pk=stale.pk).update(at=timezone.now() - datetime.timedelta(days=2))
    submit(client, link)
    assert not JoinAttempt.objects.filter(pk=stale.pk).exists()


def test_form_errors_do_not_count_against_the_limit(client, link):
    for _i in range(join.PER_ADDRESS_PER_HOUR + 2):
        assert submit(client, link, phone="1").status_code == 200
    assert submit(client, link).status_code == 302


def test_client_address_trusts_forwarded_for_only_when_configured(rf):
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert join.client_address(request) == "127.0.0.1"
    with override_settings(HIMPUN_TRUSTED_PROXIES=1):
        assert join.client_address(request) == "203.0.113.7"  # appended by our nginx


def test_ipv6_clients_are_counted_per_64():
    a = join.address_key("2001:db8:1:2::1")
    assert a == join.address_key("2001:db8:1:2:ffff::9")
    assert a != join.address_key("2001:db8:1:3::1")
    assert join.address_key("::ffff:203.0.113.7") == join.address_key("203.0.113.7")


def test_same_phone_again_stores_nothing_new_but_looks_the_same(client, world, link):
    assert submit(client, link).status_code == 302
    again = submit(client, link, address="198.51.100.3", phone="+62 812 3456 7890")
    assert again.status_code == 302
    assert again["Location"] == thanks_url(link)
    assert Member.objects.count() == 1
    # an active member of the organisation applying in another unit: nothing new either
    member_register(actor=None, unit=world.b, full_name="Budi", gender="L", phone="+6281111111111")
    assert submit(client, link, address="198.51.100.4", phone="0811-1111-1111").status_code == 302
    assert Member.objects.count() == 2


def test_same_phone_in_another_organisation_is_a_new_application(client, world, link):
    member_register(actor=None, unit=world.c, full_name="Sri", gender="P", phone="+6281234567890")
    assert submit(client, link).status_code == 302
    assert Member.objects.filter(unit=world.a).count() == 1


@pytest.mark.parametrize("how", ["archived_link", "archived_unit", "unknown"])
def test_links_out_of_use_answer_404(client, world, link, how):
    token = link.token
    if how == "archived_link":
        object_archive(actor=None, instance=link)
    elif how == "archived_unit":
        object_archive(actor=None, instance=world.a)
    else:
        token = "tidak-ada"
    for url in (f"/gabung/{token}/", f"/gabung/{token}/terima-kasih/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Tautan pendaftaran ini tidak ada" in response.content.decode()
    response = client.post(f"/gabung/{token}/", data(link), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 404
    assert not Member.objects.exists()


# -- the queue ---------------------------------------------------------------------------------


def applicant(client, link, **overrides):
    submit(client, link, **overrides)
    return Member.objects.latest("pk")


def test_queue_lists_applicants_in_scope_newest_first(client, world, link):
    applicant(client, link, full_name="Ani Pertama", phone="0812-1111-0001")
    applicant(client, link, full_name="Ani Kedua", phone="0812-1111-0002")
    link_b = object_create(actor=None, instance=JoinLink(unit=world.b, label="B"))
    applicant(client, link_b, full_name="Ani Di B", phone="0812-1111-0003")
    member_register(actor=None, unit=world.a, full_name="Anggota Aktif", gender="L")
    client.force_login(world.admin_a)
    html = client.get("/anggota/calon/").content.decode()
    assert html.index("Ani Kedua") < html.index("Ani Pertama")
    assert "0812-1111-0001" in html  # the Indonesian way
    assert "Ani Di B" not in html
    assert "Anggota Aktif" not in html
    assert "PT Sinar Jahit Sejahtera" in html  # the workplace they typed


def test_queue_requires_login_and_a_role(client, world):
    assert client.get("/anggota/calon/").status_code == 302
    client.force_login(world.nobody)
    assert client.get("/anggota/calon/").status_code == 404


def test_accept_issues_a_number_and_makes_the_member_active(client, world, link):
    m = applicant(client, link)
    client.force_login(world.admin_a)
    response = client.post(
        f"/anggota/calon/{m.pk}/terima/", {"back": "/anggota/calon/"}, follow=True
    )
    assert response.redirect_chain == [("/anggota/calon/", 302)]
    m.refresh_from_db()
    assert m.status == Status.ACTIVE
    assert m.number.startswith("A-")
    assert m.joined_on == timezone.localdate()
    page = response.content.decode()
    assert f"diterima sebagai anggota dengan nomor {m.number}" in page
    assert 'data-applicant="' not in page


def test_reject_with_reason(client, world, link):
    m = applicant(client, link)
    client.force_login(world.admin1)
    response = client.post(f"/anggota/calon/{m.pk}/tolak/", {"reason": "Bukan pekerja sektor ini"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.status == Status.REJECTED
    assert m.number == ""
    assert StatusChange.objects.filter(member=m, status=Status.REJECTED).get().reason == (
        "Bukan pekerja sektor ini"
    )


def test_decisions_out_of_scope_answer_404(client, world):
    link_b = object_create(actor=None, instance=JoinLink(unit=world.b, label="B"))
    m = applicant(client, link_b)
    client.force_login(world.admin_a)
    assert client.post(f"/anggota/calon/{m.pk}/terima/").status_code == 404
    assert client.post(f"/anggota/calon/{m.pk}/tolak/").status_code == 404
    m.refresh_from_db()
    assert m.status == Status.APPLICANT
    client.force_login(world.admin1)
    assert client.get(f"/anggota/calon/{m.pk}/terima/").status_code == 405  # POST only


def test_decision_needs_change_scope(client, world, link):
    from tests import factories

    viewer = factories.UserFactory(username="pengamat")
    factories.grant(viewer, "Pengamat", world.a)
    m = applicant(client, link)
    client.force_login(viewer)
    html = client.get("/anggota/calon/").content.decode()
    assert "Sri Wahyuningsih" in html
    assert f"/anggota/calon/{m.pk}/terima/" not in html
    assert client.post(f"/anggota/calon/{m.pk}/terima/").status_code == 404
    m.refresh_from_db()
    assert m.status == Status.APPLICANT


def test_accepting_twice_is_refused_gracefully(client, world, link):
    m = applicant(client, link)
    client.force_login(world.admin1)
    client.post(f"/anggota/calon/{m.pk}/terima/")
    assert client.post(f"/anggota/calon/{m.pk}/tolak/").status_code == 404
    m.refresh_from_db()
    assert m.status == Status.ACTIVE


# -- the unit's tab, sharing, poster and QR ----------------------------------------------------


def test_unit_tab_lists_links_with_url_and_waiting_count(client, world, link):
    applicant(client, link)
    client.force_login(world.admin1)
    html = client.get(f"/struktur/unit/{world.a.pk}/pendaftaran/").content.decode()
    assert "Pendaftaran daring" in html
    assert f"http://testserver/gabung/{link.token}/" in html
    assert f"/anggota/tautan-daftar/{link.pk}/poster.pdf" in html
    assert "data-queue" in html
    assert ">1</span>" in html
    share = client.get(f"/anggota/tautan-daftar/{link.pk}/bagikan/").content.decode()
    assert "https://wa.me/?text=" in share


@override_settings(CSRF_TRUSTED_ORIGINS=["https://testserver"])
def test_public_address_uses_the_public_https_origin(client, world, link):
    client.force_login(world.admin1)
    html = client.get(f"/struktur/unit/{world.a.pk}/pendaftaran/").content.decode()
    assert f"https://testserver/gabung/{link.token}/" in html


def decode(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image)]


def test_poster_pdf_has_the_unit_and_a_qr_to_the_form(client, world, link):
    client.force_login(world.admin_a)
    response = client.get(f"/anggota/tautan-daftar/{link.pk}/poster.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    url = f"http://testserver/gabung/{link.token}/"
    assert world.a.name in text
    assert "Ayo berserikat!" in text
    assert url in text.replace("\n", "")
    page = pypdfium2.PdfDocument(response.content)[0]
    assert round(page.get_width()) == 595  # A4
    image = page.render(scale=2).to_pil()
    assert decode(image) == [url]


def test_qr_images_decode_to_the_form(client, world, link):
    client.force_login(world.admin1)
    png = client.get(f"/anggota/tautan-daftar/{link.pk}/qr.png")
    assert png["Content-Type"] == "image/png"
    assert decode(Image.open(io.BytesIO(png.content))) == [
        f"http://testserver/gabung/{link.token}/"
    ]
    svg = client.get(f"/anggota/tautan-daftar/{link.pk}/qr.svg?unduh=1")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg["Content-Disposition"].startswith("attachment")


def test_poster_and_qr_are_scoped(client, world, link):
    urls = [f"/anggota/tautan-daftar/{link.pk}/{f}" for f in ("poster.pdf", "qr.png", "qr.svg")]
    for url in urls:
        assert client.get(url).status_code == 302  # to the login page
    link_b = object_create(actor=None, instance=JoinLink(unit=world.b, label="B"))
    client.force_login(world.admin_a)
    assert client.get(f"/anggota/tautan-daftar/{link_b.pk}/poster.pdf").status_code == 404
    client.force_login(world.nobody)
    for url in urls:
        assert client.get(url).status_code == 404
    object_archive(actor=None, instance=link)
    client.force_login(world.admin1)
    assert client.get(urls[0]).status_code == 404


def test_link_form_offers_only_units_the_user_may_add_to(client, world):
    client.force_login(world.admin_a)
    html = client.get("/anggota/tautan-daftar/tambah/").content.decode()
    assert f'value="{world.a.pk}"' in html
    assert f'value="{world.b.pk}"' not in html
    assert f'value="{world.org1.pk}"' not in html
    response = client.post(
        "/anggota/tautan-daftar/tambah/", {"unit": world.b.pk, "label": "X", "channel": "poster"}
    )
    assert response.status_code == 200
    assert not JoinLink.objects.filter(label="X").exists()
