"""Member cards (KTA) and photos: issuing, the signed public page, PDFs with a readable QR,
recorded printing, scoped photos re-encoded without EXIF."""

from __future__ import annotations

import datetime
import io

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from himpun.core.models import AuditEntry, ExportRecord
from himpun.members import card_views
from himpun.members.cards import card_is_valid, card_issue, card_sign, card_status
from himpun.members.choices import Status
from himpun.members.models import Card, Member, MembershipRule
from himpun.members.services import member_register, member_status_change
from tests import factories

MM = 72 / 25.4
NIK = "3275014108900003"
PHONE = "+6281234567890"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def register(unit, name="Sri Wahyuni Lestari", **kw):
    kw.setdefault("gender", "P")
    return member_register(actor=None, unit=unit, full_name=name, **kw)


def issue(member, actor=None):
    return card_issue(actor=actor, member=member)


def years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def verify_path(card):
    return f"/k/{card_sign(card)}/"


def user_at(world, role, unit):
    user = factories.UserFactory()
    factories.grant(user, role, unit)
    return user


def png(size=(1200, 900), exif=True) -> bytes:
    img = Image.new("RGB", size, (40, 120, 200))
    img.paste((230, 190, 160), (size[0] // 3, size[1] // 4, size[0] // 2, size[1] // 2))
    out = io.BytesIO()
    info = Image.Exif()
    if exif:
        info[0x010F] = "KameraUji"  # Make
        info[0x0132] = "2026:01:02 03:04:05"  # DateTime
    img.save(out, "PNG", exif=info)
    return out.getvalue()


def qr_text(pdf: bytes, page: int = 0) -> str:
    bitmap = pdfium.PdfDocument(pdf)[page].render(scale=300 / 72).to_pil()
    found = zxingcpp.read_barcodes(bitmap)
    assert len(found) >= 1
    return found[0].text


# -- issuing --------------------------------------------------------------------------------


def test_issue_requires_an_active_numbered_member(world):
    applicant = register(world.a, status=Status.APPLICANT)
    with pytest.raises(ValidationError, match="aktif"):
        issue(applicant)
    member = register(world.a, name="Budi Santoso", gender="L")
    member_status_change(actor=None, member=member, status=Status.INACTIVE)
    with pytest.raises(ValidationError, match="aktif"):
        issue(member)
    assert not Card.objects.exists()


def test_issue_sets_validity_from_the_rule_and_audits(world):
    member = register(world.a)
    card = issue(member, actor=world.admin_a)
    today = timezone.localdate()
    assert card.number == member.number
    assert (card.issued_on, card.valid_until) == (today, years_after(today, 5))
    entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Card), object_id=str(card.pk)
    )
    assert entry.action == "create"
    assert entry.actor == world.admin_a
    assert entry.changes["number"] == member.number
    assert "token" not in entry.changes

    MembershipRule.objects.create(organisation=world.org1, card_validity_years=2)
    again = issue(member)
    assert again.valid_until == years_after(today, 2)


def test_reissue_revokes_the_old_card_and_its_link(world, client):
    member = register(world.a)
    old = issue(member)
    assert client.get(verify_path(old)).status_code == 200
    new = issue(member)
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert new.revoked_at is None
    assert AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Card), object_id=str(old.pk), action="update"
    ).exists()
    response = client.get(verify_path(old))
    assert response.status_code == 200  # a known card: says why, not "unknown"
    assert "KTA tidak berlaku" in response.content.decode()
    assert "KTA berlaku" in client.get(verify_path(new)).content.decode()


def test_card_stops_verifying_when_expired_or_member_leaves(world):
    member = register(world.a)
    card = issue(member)
    assert card_status(card_sign(card))["valid"] is True
    Card.objects.filter(pk=card.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert card_status(card_sign(card))["valid"] is False

    other = register(world.a, name="Dewi Anggraini")
    card2 = issue(other)
    member_status_change(actor=None, member=other, status=Status.LEFT)
    status = card_status(card_sign(card2))
    assert status["valid"] is False
    assert status["status"] == Status.LEFT.label


# -- the public page ---------------------------------------------------------------------------


def test_public_page_shows_only_first_name_unit_and_status(world, client):
    member = register(world.a, nik=NIK, phone=PHONE, id=987654)
    card = issue(member)
    response = client.get(verify_path(card))
    html = response.content.decode()
    assert response.status_code == 200
    assert "KTA berlaku" in html
    assert ">Sri<" in html
    assert world.a.name in html
    assert str(Status.ACTIVE.label) in html
    for secret in (
        "Sri Wahyuni Lestari",
        "Wahyuni",
        "Lestari",
        NIK,
        PHONE,
        "81234567890",
        "0812-3456-7890",
        member.number,
        "987654",
        "/anggota/",
    ):
        assert secret not in html, secret
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex' in html
    assert "navbar" not in html


def test_tampered_link_is_refused_without_a_query(world, client):
    card = issue(register(world.a))
    signed = card_sign(card)
    token, signature = signed.split(":")
    forged = [
        f"{token}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        f"{token[:-1]}{'A' if token[-1] != 'A' else 'B'}:{signature}",
        token,
        "1",
    ]
    for bad in forged:
        with CaptureQueriesContext(connection) as queries:
            assert card_status(bad) is None
        assert len(queries) == 0
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/k/{bad}/")
        assert len(queries) == 0
        assert response.status_code == 404
        html = response.content.decode()
        assert "tidak dikenal" in html
        assert "Sri" not in html
        assert world.a.name not in html


def test_unknown_but_well_signed_token_is_404(world, client):
    card = issue(register(world.a))
    Card.objects.filter(pk=card.pk).delete()
    response = client.get(verify_path(card))
    assert response.status_code == 404
    assert "tidak dikenal" in response.content.decode()


# -- scope ----------------------------------------------------------------------------------


def test_out_of_scope_users_get_404(world, client):
    member = register(world.a)
    card = issue(member)
    member.photo.save("x.jpg", ContentFile(b"not really"), save=True)
    urls = (
        ("post", f"/anggota/{member.pk}/kartu/terbitkan/"),
        ("get", f"/anggota/{member.pk}/kartu/{card.pk}.pdf"),
        ("get", f"/anggota/{member.pk}/foto.jpg"),
    )
    for user in (user_at(world, "Admin", world.b), world.nobody):
        client.force_login(user)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 404, (user, url)
    assert Card.objects.filter(member=member).count() == 1

    viewer = user_at(world, "Pengamat", world.a)
    client.force_login(viewer)
    assert client.post(urls[0][1]).status_code == 404  # issuing needs "change"
    assert client.get(urls[1][1]).status_code == 200
    assert client.get(urls[2][1]).status_code == 200
    client.logout()
    assert client.get(urls[1][1]).status_code == 302  # to the login page


def test_other_members_card_is_404(world, client):
    mine = register(world.a)
    other = register(world.a, name="Budi Santoso", gender="L")
    card = issue(other)
    client.force_login(world.admin_a)
    assert client.get(f"/anggota/{mine.pk}/kartu/{card.pk}.pdf").status_code == 404


# -- the tab and issuing over HTTP ----------------------------------------------------------


def test_tab_issue_and_reissue(world, client):
    member = register(world.a)
    client.force_login(world.admin_a)
    tab = client.get(f"/anggota/{member.pk}/kartu/").content.decode()
    assert "Terbitkan KTA" in tab
    response = client.post(f"/anggota/{member.pk}/kartu/terbitkan/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/anggota/{member.pk}/kartu/"
    card = Card.objects.get(member=member)
    assert f"KTA {card.number} diterbitkan" in html
    assert "Terbitkan ulang" in html
    assert f"/anggota/{member.pk}/kartu/{card.pk}.pdf" in html
    assert card_sign(card) in html
    client.post(f"/anggota/{member.pk}/kartu/terbitkan/")
    assert Card.objects.filter(member=member, revoked_at__isnull=True).count() == 1
    assert Card.objects.filter(member=member).count() == 2
    assert "Dicabut" in client.get(f"/anggota/{member.pk}/kartu/").content.decode()
    assert client.get(f"/anggota/{member.pk}/kartu/terbitkan/").status_code == 405


def test_issue_refused_over_http_shows_the_reason(world, client):
    applicant = register(world.a, status=Status.APPLICANT)
    client.force_login(world.admin_a)
    response = client.post(f"/anggota/{applicant.pk}/kartu/terbitkan/", follow=True)
    assert "hanya dapat diterbitkan" in response.content.decode()
    assert not Card.objects.exists()


# -- PDFs -------------------------------------------------------------------------------------


def test_single_card_pdf_is_card_sized_with_name_number_and_a_readable_qr(world, client):
    member = register(world.a, name="Sri Wahyuni Lestari")
    card = issue(member)
    client.force_login(world.admin_a)
    response = client.get(f"/anggota/{member.pk}/kartu/{card.pk}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 85.6 * MM) < 1
    assert abs(float(box.height) - 54 * MM) < 1
    text = reader.pages[0].extract_text()
    assert "Sri Wahyuni Lestari" in text
    assert member.number in text
    assert "KARTUTANDAANGGOTA" in text.replace(" ", "")  # letter-spaced on the card
    valid = card.valid_until
    months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus"]
    months += ["September", "Oktober", "November", "Desember"]
    assert f"{valid.day} {months[valid.month - 1]} {valid.year}" in text
    assert qr_text(data) == f"http://testserver{verify_path(card)}"
    record = ExportRecord.objects.get()
    assert (record.user, record.model, record.file_format, record.row_count) == (
        world.admin_a,
        "members.Card",
        "pdf",
        1,
    )


def test_revoked_card_has_no_pdf(world, client):
    member = register(world.a)
    old = issue(member)
    issue(member)
    client.force_login(world.admin_a)
    assert client.get(f"/anggota/{member.pk}/kartu/{old.pk}.pdf").status_code == 404


def test_sheet_of_twelve_is_two_a4_pages_and_is_recorded(world, client):
    members = [register(world.a, name=f"Anggota Uji {i:02d}") for i in range(12)]
    for m in members:
        issue(m)
    register(world.a, name="Tanpa Kartu")  # no card: not printed
    issue(register(world.b, name="Unit Lain"))  # another unit: filtered out
    client.force_login(world.admin1)
    response = client.get("/anggota/kartu/cetak.pdf", {"within": "A"})
    assert response.status_code == 200
    data = response.content
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 210 * MM) < 1
    assert abs(float(box.height) - 297 * MM) < 1
    text = "".join(p.extract_text() for p in reader.pages)
    for m in members:
        assert m.full_name in text
        assert m.number in text
    assert "Unit Lain" not in text
    assert "Tanpa Kartu" not in text
    record = ExportRecord.objects.get()
    assert (record.user, record.model, record.file_format, record.row_count) == (
        world.admin1,
        "members.Card",
        "pdf",
        12,
    )
    assert "within=A" in record.query
    decoded = {
        r.text
        for r in zxingcpp.read_barcodes(pdfium.PdfDocument(data)[1].render(scale=300 / 72).to_pil())
    }
    assert len(decoded) == 2
    assert all(t.startswith("http://testserver/k/") for t in decoded)


def test_sheet_by_ids_and_the_cap(world, client, monkeypatch):
    members = [register(world.a, name=f"Anggota Uji {i}") for i in range(3)]
    for m in members:
        issue(m)
    client.force_login(world.admin_a)
    ids = f"{members[0].pk},{members[2].pk}"
    response = client.get("/anggota/kartu/cetak.pdf", {"ids": ids})
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Anggota Uji 0" in text
    assert "Anggota Uji 2" in text
    assert "Anggota Uji 1" not in text

    monkeypatch.setattr(card_views, "MAX_CARDS", 2)
    response = client.get("/anggota/kartu/cetak.pdf", follow=True)
    assert "paling banyak 2 KTA" in response.content.decode()
    assert ExportRecord.objects.count() == 1  # the refused print is not an export

    response = client.get("/anggota/kartu/cetak.pdf", {"q": "tidak ada orang ini"}, follow=True)
    assert "Tidak ada KTA berlaku" in response.content.decode()


def test_printing_needs_the_export_scope(world, client):
    issue(register(world.a))
    client.force_login(world.nobody)
    assert client.get("/anggota/kartu/cetak.pdf").status_code == 404
    client.force_login(user_at(world, "Admin", world.b))
    response = client.get("/anggota/kartu/cetak.pdf", follow=True)  # B sees no A card
    assert "Tidak ada KTA berlaku" in response.content.decode()


def test_card_validity_helper_follows_archiving(world):
    member = register(world.a)
    card = issue(member)
    Member.objects.filter(pk=member.pk).update(archived_at=timezone.now())
    card.member.refresh_from_db()
    assert card_is_valid(card) is False
    with pytest.raises(ValidationError):
        issue(member)


# -- photos ---------------------------------------------------------------------------------


def edit(client, member, **files):
    data = {"full_name": member.full_name, "gender": member.gender, "_version": member.version}
    return client.post(f"/anggota/{member.pk}/ubah/", {**data, **files})


def test_photo_upload_is_reencoded_without_exif_and_served_privately(world, client):
    member = register(world.a)
    client.force_login(world.admin_a)
    upload = SimpleUploadedFile("ktp-sri.png", png(), content_type="image/png")
    response = edit(client, member, photo=upload)
    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert member.photo.name.startswith("foto/")
    assert member.photo.name.endswith(".jpg")
    assert "sri" not in member.photo.name
    with member.photo.open("rb") as fh:
        raw = fh.read()
    img = Image.open(io.BytesIO(raw))
    assert img.format == "JPEG"
    assert img.mode == "RGB"
    assert max(img.size) <= 600
    assert img.size == (600, 450)
    assert len(img.getexif()) == 0
    assert b"Exif" not in raw
    assert b"KameraUji" not in raw

    response = client.get(f"/anggota/{member.pk}/foto.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == raw
    profile = client.get(f"/anggota/{member.pk}/").content.decode()
    assert f'src="/anggota/{member.pk}/foto.jpg"' in profile
    form = client.get(f"/anggota/{member.pk}/ubah/").content.decode()
    assert 'enctype="multipart/form-data"' in form
    assert member.photo.name not in form  # the widget links to the scoped view, not the file

    # the photo is printed on the card (an image on the page)
    card = issue(member)
    pdf = client.get(f"/anggota/{member.pk}/kartu/{card.pk}.pdf").content
    assert len(list(PdfReader(io.BytesIO(pdf)).pages[0].images)) == 1


def test_photo_on_create(world, client):
    client.force_login(world.admin_a)
    upload = SimpleUploadedFile("foto.png", png((300, 500), exif=False), content_type="image/png")
    response = client.post(
        "/anggota/tambah/",
        {"unit": world.a.pk, "full_name": "Rina Marlina", "gender": "P", "status": "aktif"}
        | {"photo": upload},
    )
    assert response.status_code == 302
    member = Member.objects.get(full_name="Rina Marlina")
    with member.photo.open("rb") as fh:
        assert Image.open(fh).size == (300, 500)


def test_non_image_upload_is_a_form_error(world, client):
    member = register(world.a)
    client.force_login(world.admin_a)
    fake = SimpleUploadedFile("foto.jpg", b"%PDF-1.4 bukan foto", content_type="image/jpeg")
    response = edit(client, member, photo=fake)
    assert response.status_code == 200
    assert "bukan gambar yang dapat dibaca" in response.content.decode()
    member.refresh_from_db()
    assert not member.photo


def test_photo_too_large_is_refused(world, client, monkeypatch):
    from himpun.members import forms

    monkeypatch.setattr(forms, "PHOTO_MAX_BYTES", 100)
    member = register(world.a)
    client.force_login(world.admin_a)
    upload = SimpleUploadedFile("foto.png", png(), content_type="image/png")
    response = edit(client, member, photo=upload)
    assert "paling besar 5 MB" in response.content.decode()


def test_no_photo_is_404(world, client):
    member = register(world.a)
    client.force_login(world.admin_a)
    assert client.get(f"/anggota/{member.pk}/foto.jpg").status_code == 404


def test_replaced_photo_leaves_no_file_behind(world, client, django_capture_on_commit_callbacks):
    member = register(world.a)
    client.force_login(world.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        edit(client, member, photo=SimpleUploadedFile("a.png", png(), content_type="image/png"))
    member.refresh_from_db()
    first = member.photo.name
    storage = member.photo.storage
    assert storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        response = edit(
            client, member, photo=SimpleUploadedFile("b.png", png(), content_type="image/png")
        )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.photo.name != first
    assert storage.exists(member.photo.name)
    assert not storage.exists(first)
    history = client.get(f"/anggota/{member.pk}/riwayat/").content.decode()
    assert "diganti" in history
    assert "foto/" not in history
