"""Members, their status history and their numbering."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from himpun.core.models import BaseModel
from himpun.members.choices import Channel, ConsentMethod, EmploymentStatus, Gender, Status
from himpun.structure.regions import RegionField

DEFAULT_NUMBER_FORMAT = "{unit_code}-{year}-{seq:06}"


class PhoneField(models.CharField):
    """A phone number stored in E.164 (+628123456789), shown the Indonesian way."""

    def display_value(self, value: str) -> str:
        from himpun.core.templatetags.himpun import phone_id

        return phone_id(value)


class MembershipRule(BaseModel):
    """An organisation's membership rules: how member numbers look."""

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
    )
    unit = models.ForeignKey(
        "structure.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    number = models.CharField(_("nomor anggota"), max_length=60, blank=True, editable=False)
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    #: Lower-case name without punctuation, for search.
    search_name = models.CharField(max_length=150, editable=False, db_index=True)
    gender = models.CharField(_("jenis kelamin"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    birth_place = models.CharField(_("tempat lahir"), max_length=80, blank=True)
    nik = models.CharField(_("NIK"), max_length=16, blank=True, db_index=True)
    phone = PhoneField(_("nomor HP"), max_length=16, blank=True, db_index=True)
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
        indexes = [models.Index(fields=["unit", "status"])]

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
