"""Members, their status history and their numbering."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from himpun.core.models import BaseModel
from himpun.members.choices import (
    Channel,
    ConsentMethod,
    DuplicateReason,
    DuplicateState,
    EmploymentStatus,
    Gender,
    Status,
    TransferState,
)
from himpun.structure.regions import RegionField

DEFAULT_NUMBER_FORMAT = "{unit_code}-{year}-{seq:06}"

#: The consent a worker gives when joining (UU 27/2022 on personal data protection). Stored
#: with each member as the text they agreed to, so later edits do not rewrite history.
DEFAULT_CONSENT = (
    "Saya setuju data pribadi saya (nama, NIK, nomor HP, alamat, tempat kerja) disimpan dan "
    "diolah oleh serikat untuk keperluan keanggotaan, iuran, advokasi dan pendidikan. Data "
    "saya tidak diberikan kepada perusahaan atau pihak lain tanpa persetujuan saya, kecuali "
    "diwajibkan undang-undang. Saya dapat meminta salinan, perbaikan atau penghapusan data "
    "saya kepada pengurus."
)


def new_token() -> str:
    """An unguessable token for public links (cards, join forms): 128 bits, URL-safe."""
    return secrets.token_urlsafe(16)


def photo_path(instance: models.Model, filename: str) -> str:
    # A random name: the file name never carries the member's name or id.
    return f"foto/{uuid.uuid4().hex}.jpg"


class PhoneField(models.CharField):
    """A phone number stored in E.164 (+628123456789), shown the Indonesian way."""

    def display_value(self, value: str) -> str:
        from himpun.core.templatetags.himpun import phone_id

        return phone_id(value)


class MembershipRule(BaseModel):
    """An organisation's membership rules: how member numbers look, what counts as a
    duplicate, when arrears make a member nonaktif."""

    organisation = models.OneToOneField(
        "structure.OrgUnit",
        verbose_name=_("organisasi"),
        on_delete=models.CASCADE,
        related_name="membership_rule",
    )
    number_format = models.CharField(
        _("format nomor anggota"),
        max_length=60,
        default=DEFAULT_NUMBER_FORMAT,
        help_text=_("Bagian yang tersedia: {unit_code}, {org_code}, {year}, {seq:06}."),
    )
    consent_text = models.TextField(
        _("teks persetujuan data pribadi"),
        default=DEFAULT_CONSENT,
        help_text=_("Ditampilkan di formulir pendaftaran; disimpan bersama setiap anggota."),
    )
    card_validity_years = models.PositiveSmallIntegerField(_("masa berlaku KTA (tahun)"), default=5)
    duplicate_same_nik = models.BooleanField(_("duplikat: NIK sama"), default=True)
    duplicate_same_phone = models.BooleanField(_("duplikat: nomor HP sama"), default=True)
    duplicate_name_birth = models.BooleanField(
        _("duplikat: nama mirip dan tanggal lahir sama"), default=True
    )
    duplicate_name_similarity = models.PositiveSmallIntegerField(
        _("kemiripan nama minimum (%)"),
        default=85,
        help_text=_("Untuk aturan nama mirip: 100 berarti harus persis sama."),
    )
    inactive_after_months = models.PositiveSmallIntegerField(
        _("nonaktif setelah menunggak (bulan)"),
        default=3,
        help_text=_(
            "Anggota yang menunggak iuran sebanyak ini otomatis menjadi nonaktif, dan aktif "
            "kembali setelah membayar. 0: tidak pernah otomatis."
        ),
    )

    scope_path_field = "organisation__path"
    scope_organisation_wide = True

    class Meta(BaseModel.Meta):
        verbose_name = _("aturan keanggotaan")
        verbose_name_plural = _("aturan keanggotaan")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.number_format}"


class NumberSequence(models.Model):
    """The last number issued for one prefix ("PUK-SAM-2026-"): gapless, locked on use."""

    organisation = models.ForeignKey(
        "structure.OrgUnit", on_delete=models.CASCADE, related_name="+"
    )
    prefix = models.CharField(max_length=60)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("urutan nomor")
        verbose_name_plural = _("urutan nomor")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "prefix"], name="sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}{self.last}"


class Member(BaseModel):
    """A worker who belongs to, or applies to, a union unit."""

    organisation = models.ForeignKey(
        "structure.OrgUnit",
        verbose_name=_("organisasi"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # led by the (organisation, number) and (organisation, birth) indexes
    )
    unit = models.ForeignKey(
        "structure.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="members",
        db_index=False,  # led by the (unit, status) index
    )
    number = models.CharField(_("nomor anggota"), max_length=60, blank=True, editable=False)
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    #: Lower-case name without punctuation, for search.
    search_name = models.CharField(max_length=150, editable=False)
    #: The name's sound, Indonesian spelling variants folded ("Moehammad" → "muhamad").
    search_key = models.CharField(max_length=150, editable=False, blank=True)
    gender = models.CharField(_("jenis kelamin"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    birth_place = models.CharField(_("tempat lahir"), max_length=80, blank=True)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    phone = PhoneField(_("nomor HP"), max_length=16, blank=True)
    email = models.EmailField(_("email"), blank=True)
    region_code = RegionField(_("wilayah tempat tinggal"), depth=4)
    address = models.TextField(_("alamat"), blank=True)
    employer = models.ForeignKey(
        "structure.Employer",
        verbose_name=_("perusahaan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    workplace = models.ForeignKey(
        "structure.Workplace",
        verbose_name=_("tempat kerja"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    department = models.CharField(_("bagian / departemen"), max_length=80, blank=True)
    shift = models.CharField(_("shift"), max_length=40, blank=True)
    job_title = models.CharField(_("jabatan / pekerjaan"), max_length=80, blank=True)
    employment_status = models.CharField(
        _("status kerja"), max_length=16, choices=EmploymentStatus.choices, blank=True
    )
    joined_on = models.DateField(_("tanggal bergabung"), null=True, blank=True)
    recruited_by = models.ForeignKey(
        "self",
        verbose_name=_("direkrut oleh"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recruits",
    )
    recruitment_channel = models.CharField(
        _("jalur rekrutmen"), max_length=16, choices=Channel.choices, blank=True
    )
    consent_text = models.TextField(_("isi persetujuan data pribadi"), blank=True)
    consent_at = models.DateTimeField(_("waktu persetujuan"), null=True, blank=True)
    consent_method = models.CharField(
        _("cara persetujuan"), max_length=12, choices=ConsentMethod.choices, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.APPLICANT,
        editable=False,
    )
    status_since = models.DateField(_("status sejak"), null=True, blank=True, editable=False)
    photo = models.ImageField(_("foto"), upload_to=photo_path, blank=True)
    join_link = models.ForeignKey(
        "members.JoinLink",
        verbose_name=_("mendaftar lewat"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="applications",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("digabung ke"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    archived_at = models.DateTimeField(_("diarsipkan"), null=True, blank=True, editable=False)

    class Meta(BaseModel.Meta):
        verbose_name = _("anggota")
        verbose_name_plural = _("anggota")
        ordering = ["search_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"],
                condition=~models.Q(number=""),
                name="member_number_unique",
            )
        ]
        indexes = [
            models.Index(fields=["unit", "status"]),
            # Duplicate detection compares people born on the same day.
            models.Index(fields=["organisation", "birth_date"], name="member_org_birth"),
            # Plain indexes only: `db_index` would add a second, pattern-ops copy of each on
            # PostgreSQL, which no query uses and every import pays for (the trigram and
            # phone-prefix indexes of migration 0003 serve substring and prefix searches).
            models.Index(fields=["search_name"], name="member_search_name"),
            models.Index(fields=["nik"], name="member_nik"),
            models.Index(fields=["phone"], name="member_phone"),
        ]

    def __str__(self) -> str:
        return self.full_name


class StatusChange(models.Model):
    """One step in a member's life in the union: dated, with reason and actor."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    on = models.DateField(_("tanggal"))
    reason = models.CharField(_("alasan"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dicatat oleh"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("dicatat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("perubahan status")
        verbose_name_plural = _("perubahan status")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["member", "on"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.status} {self.on}"


class Transfer(BaseModel):
    """A member moving from one unit to another: asked by the old unit, accepted by the new."""

    member = models.ForeignKey(
        Member, verbose_name=_("anggota"), on_delete=models.CASCADE, related_name="transfers"
    )
    from_unit = models.ForeignKey(
        "structure.OrgUnit",
        verbose_name=_("dari unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_unit = models.ForeignKey(
        "structure.OrgUnit",
        verbose_name=_("ke unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("alasan"), max_length=200)
    state = models.CharField(
        _("keadaan"), max_length=12, choices=TransferState.choices, default=TransferState.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diminta oleh"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diputuskan oleh"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("diputuskan pada"), null=True, blank=True)
    decision_note = models.CharField(_("catatan"), max_length=200, blank=True)

    #: Seen from both sides: the unit it leaves and the unit it joins.
    scope_path_fields = ("from_unit__path", "to_unit__path")

    class Meta(BaseModel.Meta):
        verbose_name = _("mutasi anggota")
        verbose_name_plural = _("mutasi anggota")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(state="diminta"),
                name="transfer_one_open_per_member",
            )
        ]
        indexes = [models.Index(fields=["state", "to_unit"])]

    def __str__(self) -> str:
        return f"{self.member} → {self.to_unit}"


class Card(models.Model):
    """A member card (KTA). Its QR opens a public page through `token`; reissuing a card
    revokes the old one, so a lost or outdated card stops verifying."""

    member = models.ForeignKey(
        Member, verbose_name=_("anggota"), on_delete=models.CASCADE, related_name="cards"
    )
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    number = models.CharField(_("nomor anggota"), max_length=60)
    issued_on = models.DateField(_("diterbitkan"))
    valid_until = models.DateField(_("berlaku sampai"))
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diterbitkan oleh"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("kartu anggota")
        verbose_name_plural = _("kartu anggota")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"KTA {self.number}"


class JoinLink(BaseModel):
    """A unit's public join form. Each link carries its recruitment channel, so a poster's QR
    and a WhatsApp post can be told apart in the joins-by-channel report."""

    unit = models.ForeignKey(
        "structure.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="join_links",
    )
    label = models.CharField(_("nama tautan"), max_length=80)
    channel = models.CharField(
        _("jalur rekrutmen"), max_length=16, choices=Channel.choices, default=Channel.SOCIAL_MEDIA
    )
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    archived_at = models.DateTimeField(_("diarsipkan"), null=True, blank=True, editable=False)

    class Meta(BaseModel.Meta):
        verbose_name = _("tautan pendaftaran")
        verbose_name_plural = _("tautan pendaftaran")
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class JoinAttempt(models.Model):
    """One submission of a public form, kept briefly to throttle floods. Only a keyed hash
    of the address is stored, never the address itself."""

    key = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["key", "at"])]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.at}"


class NameWord(models.Model):
    """A word that occurs in some member's name: the vocabulary a misspelt search word is
    matched against (PostgreSQL keeps it filled with a trigger; see members.search)."""

    word = models.CharField(max_length=150, primary_key=True)

    def __str__(self) -> str:
        return self.word


class DuplicateCandidate(models.Model):
    """Two records that may be the same worker, waiting for someone to decide."""

    organisation = models.ForeignKey(
        "structure.OrgUnit", on_delete=models.CASCADE, related_name="+"
    )
    member_a = models.ForeignKey(
        Member, verbose_name=_("anggota A"), on_delete=models.CASCADE, related_name="+"
    )
    member_b = models.ForeignKey(
        Member, verbose_name=_("anggota B"), on_delete=models.CASCADE, related_name="+"
    )
    reasons = models.CharField(_("alasan"), max_length=40)
    score = models.PositiveSmallIntegerField(_("skor"), default=0)
    state = models.CharField(
        _("keadaan"), max_length=10, choices=DuplicateState.choices, default=DuplicateState.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diputuskan oleh"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("diputuskan pada"), null=True, blank=True)
    found_at = models.DateTimeField(_("ditemukan"), auto_now_add=True)

    class Meta:
        verbose_name = _("kemungkinan duplikat")
        verbose_name_plural = _("kemungkinan duplikat")
        ordering = ["-score", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member_a", "member_b"], name="duplicate_pair_unique"),
            models.CheckConstraint(
                condition=models.Q(member_a__lt=models.F("member_b")), name="duplicate_pair_order"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "state"])]

    def __str__(self) -> str:
        return f"{self.member_a_id} ~ {self.member_b_id}"

    @property
    def reason_labels(self) -> list[str]:
        labels = dict(DuplicateReason.choices)
        return [str(labels.get(r, r)) for r in self.reasons.split(",") if r]
