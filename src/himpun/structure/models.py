"""The organisation tree and the places unions organise: units, level kinds, sectors,
employers and workplaces."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from himpun.core.models import BaseModel
from himpun.structure.regions import RegionField, region_label


class LevelKind(BaseModel):
    """A level of one union's structure, named as that union names it (Federasi, DPW, PUK)."""

    organisation = models.ForeignKey(
        "OrgUnit",
        verbose_name=_("organisasi"),
        on_delete=models.CASCADE,
        related_name="level_kinds",
    )
    name = models.CharField(_("nama"), max_length=60)
    code = models.SlugField(_("kode"), max_length=30)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    parents = models.ManyToManyField(
        "self",
        verbose_name=_("boleh berada di bawah"),
        symmetrical=False,
        blank=True,
        related_name="children",
    )
    is_community = models.BooleanField(
        _("kelompok komunitas"),
        default=False,
        help_text=_("Unit berdasarkan tempat tinggal, tanpa perusahaan (misalnya komperata PRT)."),
    )

    scope_path_field = "organisation__path"
    scope_organisation_wide = True

    class Meta(BaseModel.Meta):
        verbose_name = _("jenis tingkatan")
        verbose_name_plural = _("jenis tingkatan")
        ordering = ["organisation_id", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="levelkind_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Sector(BaseModel):
    """An industrial sector a union organises in (kimia, garmen–tekstil, PRT, …)."""

    organisation = models.ForeignKey(
        "OrgUnit", verbose_name=_("organisasi"), on_delete=models.CASCADE, related_name="sectors"
    )
    name = models.CharField(_("nama"), max_length=80)
    code = models.SlugField(_("kode"), max_length=30)

    scope_path_field = "organisation__path"
    scope_organisation_wide = True

    class Meta(BaseModel.Meta):
        verbose_name = _("sektor")
        verbose_name_plural = _("sektor")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="sector_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class OrgUnit(BaseModel):
    """A node of a union's tree: konfederasi, federasi, DPW/Korwil, DPC/PC, PUK/PK, komperata."""

    organisation = models.ForeignKey(
        "self",
        verbose_name=_("organisasi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("induk"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    kind = models.ForeignKey(
        LevelKind,
        verbose_name=_("jenis"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
    )
    code = models.CharField(_("kode"), max_length=30)
    name = models.CharField(_("nama"), max_length=150)
    #: Ancestors' ids and its own, 8 digits each (see core.scoping).
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sector = models.ForeignKey(
        Sector, verbose_name=_("sektor"), on_delete=models.PROTECT, null=True, blank=True
    )
    region_code = RegionField(_("wilayah"), depth=2)
    employer = models.ForeignKey(
        "Employer",
        verbose_name=_("perusahaan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
    )
    workplace = models.ForeignKey(
        "Workplace",
        verbose_name=_("tempat kerja"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
    )
    registration_number = models.CharField(_("nomor bukti pencatatan"), max_length=60, blank=True)
    archived_at = models.DateTimeField(_("diarsipkan"), null=True, blank=True, editable=False)

    scope_path_field = "path"

    class Meta(BaseModel.Meta):
        verbose_name = _("unit")
        verbose_name_plural = _("unit")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="orgunit_code_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region_name(self) -> str:
        return region_label(self.region_code)


class UnitCounter(models.Model):
    """A count kept per unit, for the unit alone (`direct`) and its subtree (`total`).

    Maintained incrementally by structure.services.unit_count_adjust, so the root of a
    large confederation answers without scanning members.
    """

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="counters")
    key = models.CharField(max_length=40)
    direct = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("penghitung unit")
        verbose_name_plural = _("penghitung unit")
        constraints = [models.UniqueConstraint(fields=["unit", "key"], name="counter_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.key} {self.direct}/{self.total}"


class Employer(BaseModel):
    """A company (or household employer) whose workers a union organises."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit pengelola"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("nama perusahaan"), max_length=150)
    sector = models.ForeignKey(
        Sector, verbose_name=_("sektor"), on_delete=models.PROTECT, null=True, blank=True
    )
    region_code = RegionField(_("wilayah"))
    address = models.TextField(_("alamat"), blank=True)
    archived_at = models.DateTimeField(_("diarsipkan"), null=True, blank=True, editable=False)

    class Meta(BaseModel.Meta):
        verbose_name = _("perusahaan")
        verbose_name_plural = _("perusahaan")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def region_name(self) -> str:
        return region_label(self.region_code)


class Workplace(BaseModel):
    """A site where members work: a factory, an office, a warehouse."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit pengelola"), on_delete=models.PROTECT, related_name="+"
    )
    employer = models.ForeignKey(
        Employer, verbose_name=_("perusahaan"), on_delete=models.PROTECT, related_name="workplaces"
    )
    name = models.CharField(_("nama lokasi"), max_length=150)
    region_code = RegionField(_("wilayah"))
    address = models.TextField(_("alamat"), blank=True)
    headcount = models.PositiveIntegerField(_("jumlah pekerja"), null=True, blank=True)
    unions_present = models.PositiveSmallIntegerField(
        _("jumlah serikat di tempat kerja"),
        default=1,
        help_text=_("Termasuk serikat kita. Menentukan ambang PKB (UU 13/2003 Pasal 119–120)."),
    )
    pkb_signed_on = models.DateField(_("PKB ditandatangani"), null=True, blank=True)
    pkb_expires_on = models.DateField(
        _("PKB berakhir"),
        null=True,
        blank=True,
        help_text=_("Paling lama 2 tahun, dapat diperpanjang 1 tahun (Pasal 123)."),
    )
    archived_at = models.DateTimeField(_("diarsipkan"), null=True, blank=True, editable=False)

    class Meta(BaseModel.Meta):
        verbose_name = _("tempat kerja")
        verbose_name_plural = _("tempat kerja")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.employer})" if self.employer_id else self.name

    @property
    def region_name(self) -> str:
        return region_label(self.region_code)

    def clean(self) -> None:
        if self.headcount is not None and self.headcount < 0:
            raise ValidationError({"headcount": _("Jumlah pekerja tidak boleh negatif.")})


class WorkplaceSection(BaseModel):
    """Part of a workplace's workforce: a department and/or shift with its headcount, the rows
    of the organisers' wall chart."""

    workplace = models.ForeignKey(
        Workplace, verbose_name=_("tempat kerja"), on_delete=models.CASCADE, related_name="sections"
    )
    department = models.CharField(_("bagian / departemen"), max_length=80, blank=True)
    shift = models.CharField(_("shift"), max_length=40, blank=True)
    headcount = models.PositiveIntegerField(_("jumlah pekerja"))

    scope_path_field = "workplace__unit__path"

    class Meta(BaseModel.Meta):
        verbose_name = _("bagian tempat kerja")
        verbose_name_plural = _("bagian tempat kerja")
        ordering = ["workplace_id", "department", "shift"]
        constraints = [
            models.UniqueConstraint(
                fields=["workplace", "department", "shift"], name="workplacesection_unique"
            )
        ]

    def __str__(self) -> str:
        return " · ".join(x for x in (self.department, self.shift) if x) or str(self.workplace)
