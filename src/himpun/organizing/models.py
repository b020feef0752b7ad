"""Organising: the contacts pipeline, campaigns, indicators with targets per unit, and the
evaluations that review them with a follow-up plan."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from himpun.core.models import BaseModel
from himpun.members.choices import Channel
from himpun.members.models import Member, PhoneField
from himpun.organizing.choices import (
    ActionStatus,
    ActivityKind,
    Assessment,
    PeriodKind,
    Source,
    TargetMode,
)
from himpun.structure.models import OrgUnit, Sector, Workplace
from himpun.structure.regions import RegionField

# --- contacts ---------------------------------------------------------------------------------


class Stage(BaseModel):
    """A step of the organising pipeline (informasi → kontak poin → pendidikan → anggota)."""

    organisation = models.ForeignKey(
        OrgUnit, verbose_name=_("organisasi"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("nama"), max_length=60)
    code = models.SlugField(_("kode"), max_length=30)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    is_member = models.BooleanField(
        _("tahap keanggotaan"),
        default=False,
        help_text=_("Kontak di tahap ini sudah menjadi anggota."),
    )
    archived_at = models.DateTimeField(_("diarsipkan"), null=True, blank=True, editable=False)

    scope_path_field = "organisation__path"
    scope_organisation_wide = True

    class Meta(BaseModel.Meta):
        verbose_name = _("tahap pengorganisasian")
        verbose_name_plural = _("tahap pengorganisasian")
        ordering = ["organisation_id", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="stage_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Contact(BaseModel):
    """A worker the union is talking to who is not (yet) a member."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    full_name = models.CharField(_("nama"), max_length=150)
    phone = PhoneField(_("nomor HP"), max_length=16, blank=True)
    workplace = models.ForeignKey(
        Workplace,
        verbose_name=_("tempat kerja"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
    )
    department = models.CharField(_("bagian / departemen"), max_length=80, blank=True)
    shift = models.CharField(_("shift"), max_length=40, blank=True)
    community = models.CharField(
        _("komunitas / tempat tinggal"),
        max_length=120,
        blank=True,
        help_text=_("Untuk pekerja tanpa tempat kerja tetap (PRT, ojol, informal)."),
    )
    known_by = models.ForeignKey(
        Member,
        verbose_name=_("dikenal oleh"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Anggota yang mengenal pekerja ini."),
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("tahap"), on_delete=models.PROTECT, related_name="contacts"
    )
    assessment = models.PositiveSmallIntegerField(
        _("penilaian"), choices=Assessment.choices, null=True, blank=True
    )
    channel = models.CharField(
        _("jalur perekrutan"), max_length=20, choices=Channel.choices, blank=True
    )
    campaign = models.ForeignKey(
        "Campaign",
        verbose_name=_("kampanye"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
    )
    next_step = models.CharField(_("langkah berikutnya"), max_length=200, blank=True)
    next_step_due = models.DateField(_("tenggat langkah berikutnya"), null=True, blank=True)
    notes = models.TextField(_("catatan"), blank=True)
    member = models.ForeignKey(
        Member,
        verbose_name=_("menjadi anggota"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="contacts",
    )
    converted_at = models.DateTimeField(
        _("menjadi anggota pada"), null=True, blank=True, editable=False
    )
    archived_at = models.DateTimeField(_("diarsipkan"), null=True, blank=True, editable=False)

    class Meta(BaseModel.Meta):
        verbose_name = _("kontak")
        verbose_name_plural = _("kontak")
        ordering = ["full_name"]
        indexes = [models.Index(fields=["workplace", "department"], name="contact_wall_idx")]

    def __str__(self) -> str:
        return self.full_name


class ContactChange(models.Model):
    """One step in a contact's history: a new stage or a new assessment, with who and when."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="changes")
    on = models.DateField(_("tanggal"))
    stage = models.ForeignKey(
        Stage, verbose_name=_("tahap"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    assessment = models.PositiveSmallIntegerField(
        _("penilaian"), choices=Assessment.choices, null=True
    )
    #: +1 when the stage moved forward, -1 backward, 0 when only the assessment changed.
    direction = models.SmallIntegerField(default=0)
    note = models.CharField(_("catatan"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dicatat oleh"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("dicatat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("riwayat kontak")
        verbose_name_plural = _("riwayat kontak")
        ordering = ["contact_id", "on", "id"]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.on:%d/%m/%Y}"


# --- campaigns --------------------------------------------------------------------------------


class Campaign(BaseModel):
    """An organising drive with a period, targets and goals, run by assigned organisers."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit penyelenggara"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("nama kampanye"), max_length=150)
    description = models.TextField(_("uraian"), blank=True)
    starts_on = models.DateField(_("mulai"))
    ends_on = models.DateField(_("selesai"))
    workplaces = models.ManyToManyField(
        Workplace, verbose_name=_("tempat kerja sasaran"), blank=True, related_name="campaigns"
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sektor sasaran"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    region_code = RegionField(_("wilayah sasaran"))
    goal_members = models.PositiveIntegerField(_("target anggota baru"), null=True, blank=True)
    goal_units = models.PositiveIntegerField(_("target unit baru"), null=True, blank=True)
    goal_density = models.DecimalField(
        _("target kepadatan (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("organiser"), blank=True, related_name="+"
    )
    archived_at = models.DateTimeField(_("diarsipkan"), null=True, blank=True, editable=False)

    class Meta(BaseModel.Meta):
        verbose_name = _("kampanye")
        verbose_name_plural = _("kampanye")
        ordering = ["-starts_on", "name"]

    def __str__(self) -> str:
        return self.name


class CampaignActivity(BaseModel):
    """Something done in a campaign: visits, meetings, leaflets, posts, with how many."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("kampanye"), on_delete=models.CASCADE, related_name="activities"
    )
    on = models.DateField(_("tanggal"))
    kind = models.CharField(_("kegiatan"), max_length=20, choices=ActivityKind.choices)
    count = models.PositiveIntegerField(
        _("jumlah"), default=1, help_text=_("Orang ditemui, selebaran dibagikan, unggahan…")
    )
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dicatat oleh"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )

    scope_path_field = "campaign__unit__path"

    class Meta(BaseModel.Meta):
        verbose_name = _("kegiatan kampanye")
        verbose_name_plural = _("kegiatan kampanye")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on:%d/%m/%Y}"


# --- indicators and targets -------------------------------------------------------------------


class Indicator(BaseModel):
    """A measure of organising defined once per organisation (Janji Kinerja): every unit
    shares it, each with its own target."""

    organisation = models.ForeignKey(
        OrgUnit, verbose_name=_("organisasi"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("nama indikator"), max_length=120)
    code = models.SlugField(_("kode"), max_length=30)
    source = models.CharField(_("sumber hasil"), max_length=20, choices=Source.choices)
    description = models.TextField(_("uraian"), blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    archived_at = models.DateTimeField(_("diarsipkan"), null=True, blank=True, editable=False)

    scope_path_field = "organisation__path"
    scope_organisation_wide = True

    class Meta(BaseModel.Meta):
        verbose_name = _("indikator")
        verbose_name_plural = _("indikator")
        ordering = ["organisation_id", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="indicator_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Target(BaseModel):
    """What one unit commits to reach on one indicator in one period."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indikator"), on_delete=models.PROTECT, related_name="targets"
    )
    period_kind = models.CharField(_("jenis periode"), max_length=10, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("tahun"))
    number = models.PositiveSmallIntegerField(
        _("ke-"), default=1, help_text=_("Semester 1–2 atau triwulan 1–4; 1 untuk setahun.")
    )
    starts_on = models.DateField(_("mulai"), editable=False)
    ends_on = models.DateField(_("selesai"), editable=False)
    mode = models.CharField(
        _("cara menetapkan"), max_length=10, choices=TargetMode.choices, default=TargetMode.OWN
    )
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("catatan"), max_length=200, blank=True)

    class Meta(BaseModel.Meta):
        verbose_name = _("target")
        verbose_name_plural = _("target")
        ordering = ["-starts_on", "indicator_id", "unit_id"]
        indexes = [models.Index(fields=["indicator", "starts_on"], name="target_period_idx")]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.unit} · {self.period_label}"

    @property
    def period_label(self) -> str:
        if self.period_kind == PeriodKind.YEAR:
            return str(self.year)
        return f"{self.get_period_kind_display()} {self.number} {self.year}"


class ManualResult(BaseModel):
    """A result typed in for an indicator that Himpun cannot compute (who entered it is kept)."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indikator"), on_delete=models.PROTECT, related_name="results"
    )
    on = models.DateField(_("tanggal"), help_text=_("Hari atau akhir bulan yang dilaporkan."))
    value = models.DecimalField(_("hasil"), max_digits=14, decimal_places=2)
    note = models.CharField(_("catatan"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diisi oleh"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )

    class Meta(BaseModel.Meta):
        verbose_name = _("hasil manual")
        verbose_name_plural = _("hasil manual")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.unit} · {self.on:%d/%m/%Y}"


# --- evaluations and follow-up plans ----------------------------------------------------------


class Evaluation(BaseModel):
    """A semester or quarter review of a unit's (or a sector's) organising: results against
    targets, obstacles, good practices, case studies, and a follow-up plan."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sektor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("judul"), max_length=200)
    period_kind = models.CharField(_("jenis periode"), max_length=10, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("tahun"))
    number = models.PositiveSmallIntegerField(_("ke-"), default=1)
    starts_on = models.DateField(_("mulai"), editable=False)
    ends_on = models.DateField(_("selesai"), editable=False)
    held_on = models.DateField(_("tanggal pertemuan"), null=True, blank=True)
    facilitator = models.CharField(_("fasilitator"), max_length=150, blank=True)
    obstacles = models.TextField(_("hambatan"), blank=True)
    good_practices = models.TextField(_("praktik baik"), blank=True)
    case_studies = models.TextField(_("studi kasus"), blank=True)
    #: Results against targets frozen when the evaluation is closed (live until then).
    results = models.JSONField(_("hasil terhadap target"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("ditutup"), null=True, blank=True, editable=False)
    archived_at = models.DateTimeField(_("diarsipkan"), null=True, blank=True, editable=False)

    class Meta(BaseModel.Meta):
        verbose_name = _("evaluasi")
        verbose_name_plural = _("evaluasi")
        ordering = ["-starts_on", "title"]

    def __str__(self) -> str:
        return self.title


class ActionItem(BaseModel):
    """One line of a follow-up plan (rencana tindak lanjut): what, who, by when, how far."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("evaluasi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
    )
    title = models.CharField(_("kegiatan"), max_length=200)
    owner = models.CharField(_("penanggung jawab"), max_length=150)
    due_on = models.DateField(_("tenggat"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    done_on = models.DateField(_("selesai pada"), null=True, blank=True)
    note = models.TextField(_("catatan"), blank=True)
    archived_at = models.DateTimeField(_("diarsipkan"), null=True, blank=True, editable=False)

    class Meta(BaseModel.Meta):
        verbose_name = _("rencana tindak lanjut")
        verbose_name_plural = _("rencana tindak lanjut")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["unit", "status", "due_on"], name="action_open_idx")]

    def __str__(self) -> str:
        return self.title
