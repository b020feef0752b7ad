"""Dues and money: what members owe, what they paid, how it is shared between the levels of
the union, and each unit's books.

Money is append-only. `Entry` (one event: a payment, a check-off remittance, a transfer of
shares up the tree, a cash-book line, a correction) holds balanced `Posting`s, debits
positive and credits negative, in whole rupiah. A mistake is corrected by a reversing entry;
PostgreSQL refuses UPDATE and DELETE of postings and entries (migration 0002), and on every
database the managers of these models refuse them too."""

from __future__ import annotations

import datetime
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himpun.core.models import BaseModel
from himpun.core.querysets import RestrictedQuerySet
from himpun.dues.choices import (
    Account,
    Basis,
    Direction,
    EntryKind,
    LineProblem,
    LineState,
    Method,
)
from himpun.dues.months import months_between
from himpun.structure.regions import RegionField


class AppendOnly(ValidationError):
    """Money is never changed or deleted, only reversed."""


def _refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise AppendOnly(_("Catatan uang tidak dapat diubah atau dihapus; buat pembatalan (koreksi)."))


class AppendOnlyQuerySet(RestrictedQuerySet):
    """Scoped like every domain row, and without update() or delete()."""

    update = _refuse  # type: ignore[assignment]
    delete = _refuse  # type: ignore[assignment]
    bulk_update = _refuse  # type: ignore[assignment]


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()
    scope_path_field = "unit__path"
    scope_organisation_wide = False

    class Meta:
        abstract = True
        default_permissions = ("add", "change", "delete", "view", "export")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()


def month_start(d: Any) -> Any:
    return d.replace(day=1)


class MinimumWage(BaseModel):
    """The regional minimum wage (UMP of a province, UMK of a regency/city) for a year."""

    organisation = models.ForeignKey(
        "structure.OrgUnit",
        verbose_name=_("organisasi"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    region_code = RegionField(_("wilayah"), blank=False, depth=2)
    year = models.PositiveSmallIntegerField(_("tahun"))
    amount = models.PositiveBigIntegerField(_("upah minimum per bulan (Rp)"))

    scope_path_field = "organisation__path"
    scope_organisation_wide = True

    class Meta(BaseModel.Meta):
        verbose_name = _("upah minimum")
        verbose_name_plural = _("upah minimum")
        ordering = ["-year", "region_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "region_code", "year"], name="minimumwage_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year}"


class DuesPolicy(BaseModel):
    """How much a member of a unit pays a month, from a date on. A policy holds for the unit
    and every unit below it, until a lower unit sets its own or a later one starts."""

    unit = models.ForeignKey(
        "structure.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="dues_policies",
    )
    effective_from = models.DateField(_("berlaku mulai"))
    basis = models.CharField(_("dasar iuran"), max_length=10, choices=Basis.choices)
    amount = models.PositiveBigIntegerField(
        _("jumlah per bulan (Rp)"), default=0, help_text=_("Untuk iuran dengan jumlah tetap.")
    )
    rate_bp = models.PositiveIntegerField(
        _("persentase (basis poin)"),
        default=0,
        help_text=_("100 basis poin = 1%. Untuk iuran persen dari upah atau UMP/UMK."),
    )
    region_code = RegionField(
        _("wilayah UMP/UMK"),
        depth=2,
        help_text=_("Kosong: wilayah unit anggota."),
    )
    joining_fee = models.PositiveBigIntegerField(_("uang pangkal (Rp)"), default=0)
    note = models.CharField(_("dasar aturan (AD/ART)"), max_length=200, blank=True)

    class Meta(BaseModel.Meta):
        verbose_name = _("kebijakan iuran")
        verbose_name_plural = _("kebijakan iuran")
        ordering = ["unit__path", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "effective_from"], name="duespolicy_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.effective_from:%d-%m-%Y}"

    def clean(self) -> None:
        if self.basis == Basis.FIXED and not self.amount:
            raise ValidationError({"amount": _("Isi jumlah iuran per bulan.")})
        if self.basis in (Basis.WAGE, Basis.MINIMUM_WAGE) and not 0 < self.rate_bp <= 10000:
            raise ValidationError(
                {"rate_bp": _("Persentase harus antara 1 dan 10.000 basis poin.")}
            )


class SplitRule(BaseModel):
    """How a unit's dues are shared between the levels above it (AD/ART), from a date on.
    Holds for the unit's whole subtree until a lower unit sets its own or a later one starts."""

    unit = models.ForeignKey(
        "structure.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="split_rules",
    )
    effective_from = models.DateField(_("berlaku mulai"))
    note = models.CharField(_("dasar aturan (AD/ART)"), max_length=200, blank=True)

    class Meta(BaseModel.Meta):
        verbose_name = _("pembagian iuran")
        verbose_name_plural = _("pembagian iuran")
        ordering = ["unit__path", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "effective_from"], name="splitrule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.effective_from:%d-%m-%Y}"


class SplitShare(models.Model):
    """One level's share of a split rule, in basis points (10,000 = the whole payment). A
    confederation's share inside a federation level is its own line (FSP LEM SPSI: branch
    22.5% + confederation 2.5%)."""

    rule = models.ForeignKey(SplitRule, on_delete=models.CASCADE, related_name="shares")
    level = models.ForeignKey(
        "structure.LevelKind",
        verbose_name=_("tingkatan penerima"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    share_bp = models.PositiveIntegerField(_("bagian (basis poin)"))
    label = models.CharField(_("keterangan"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("bagian tingkatan")
        verbose_name_plural = _("bagian tingkatan")
        ordering = ["rule", "id"]

    def __str__(self) -> str:
        return f"{self.level} {self.share_bp / 100:g}%"


class MemberDues(models.Model):
    """A member's dues account: wage, check-off authorisation and how far their dues are
    paid. A summary kept up to date by the dues services (not money itself: payments are).

    How far an account is paid is one date, `unpaid_from`: the first month not yet paid.
    Months paid and months owed are derived from it (`months_paid`, `months_owed_on`), so
    nothing has to rewrite millions of accounts when a new month begins; the arrears run
    only looks, through the index on it, for the members who cross the limit."""

    member = models.OneToOneField(
        "members.Member", on_delete=models.CASCADE, primary_key=True, related_name="dues"
    )
    wage = models.PositiveBigIntegerField(_("upah per bulan (Rp)"), null=True, blank=True)
    checkoff_authorised_on = models.DateField(
        _("surat kuasa potong upah ditandatangani"),
        null=True,
        blank=True,
        help_text=_("KEP.187/MEN/X/2004: potong upah hanya dengan kuasa tertulis anggota."),
    )
    owed_from = models.DateField(_("iuran wajib sejak bulan"), null=True, blank=True)
    #: The first month not yet paid (the first of the month): `owed_from` plus the months
    #: paid. A member owes the whole months from it to the month before today's.
    unpaid_from = models.DateField(_("belum dibayar sejak bulan"), null=True, blank=True)
    last_paid_on = models.DateField(_("terakhir membayar"), null=True, blank=True)
    #: Made nonaktif by the arrears run (and so made aktif again by paying).
    inactive_for_arrears = models.BooleanField(default=False)

    # No restrict(): an account has no permissions of its own; pages reach it through the
    # member (Member.objects.restrict) it belongs to.

    class Meta:
        verbose_name = _("rekening iuran anggota")
        verbose_name_plural = _("rekening iuran anggota")
        default_permissions = ()
        indexes = [models.Index(fields=["unpaid_from"], name="memberdues_unpaid")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.unpaid_from}"

    @property
    def months_paid(self) -> int:
        """Months paid since the account opened."""
        if self.owed_from is None or self.unpaid_from is None:
            return 0
        return months_between(self.owed_from, self.unpaid_from)

    def months_owed_on(self, on: datetime.date) -> int:
        """Whole months owed on `on`: the unpaid months before `on`'s month (a month's dues
        fall due when it ends)."""
        if self.unpaid_from is None:
            return 0
        return max(months_between(self.unpaid_from, on), 0)

    @property
    def months_owed(self) -> int:
        """Months owed today."""
        return self.months_owed_on(timezone.localdate())


class ReceiptSequence(models.Model):
    """The last receipt number a unit gave out in a year (gapless, locked while issuing)."""

    unit = models.ForeignKey("structure.OrgUnit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="receiptsequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}: {self.last}"


class CashCategory(BaseModel):
    """A cash-book category (rapat, fotokopi, ATK, transport, …), editable per organisation."""

    organisation = models.ForeignKey(
        "structure.OrgUnit",
        verbose_name=_("organisasi"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    name = models.CharField(_("nama"), max_length=60)
    code = models.SlugField(_("kode"), max_length=30)
    direction = models.CharField(
        _("untuk"),
        max_length=6,
        choices=Direction.choices,
        blank=True,
        help_text=_("Kosong: pemasukan dan pengeluaran."),
    )
    archived_at = models.DateTimeField(_("diarsipkan"), null=True, blank=True, editable=False)

    scope_path_field = "organisation__path"
    scope_organisation_wide = True

    class Meta(BaseModel.Meta):
        verbose_name = _("kategori kas")
        verbose_name_plural = _("kategori kas")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="cashcategory_unique")
        ]

    def __str__(self) -> str:
        return self.name


class CheckoffBatch(models.Model):
    """One employer's payroll remittance for one month: the file, its declared total and
    what became of its rows."""

    unit = models.ForeignKey(
        "structure.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    employer = models.ForeignKey(
        "structure.Employer",
        verbose_name=_("perusahaan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    month = models.DateField(_("bulan"))
    declared_total = models.PositiveBigIntegerField(_("total menurut perusahaan (Rp)"), null=True)
    job = models.OneToOneField(
        "imports.ImportJob", on_delete=models.PROTECT, null=True, related_name="checkoff"
    )
    rows = models.PositiveIntegerField(default=0)
    posted = models.PositiveIntegerField(default=0)
    posted_total = models.BigIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path_field = "unit__path"
    scope_organisation_wide = False

    class Meta:
        verbose_name = _("setoran potong upah")
        verbose_name_plural = _("setoran potong upah")
        default_permissions = ("add", "change", "delete", "view", "export")
        ordering = ["-month", "-id"]

    def __str__(self) -> str:
        return f"{self.month:%m-%Y} · {self.employer or self.unit}"


class CheckoffLine(models.Model):
    """A row of a check-off file the treasurer must resolve: no such member, another amount
    than the member owes, a member outside the unit."""

    batch = models.ForeignKey(CheckoffBatch, on_delete=models.CASCADE, related_name="lines")
    row = models.PositiveIntegerField(_("baris"))
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cells = models.JSONField(_("isi baris"), default=dict)
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    problem = models.CharField(_("masalah"), max_length=20, choices=LineProblem.choices)
    state = models.CharField(
        _("status"), max_length=10, choices=LineState.choices, default=LineState.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True)

    # No restrict(): a line has no permissions of its own; pages reach it through its batch
    # (CheckoffBatch.objects.restrict).

    class Meta:
        verbose_name = _("baris potong upah")
        verbose_name_plural = _("baris potong upah")
        default_permissions = ()
        ordering = ["batch", "row"]
        indexes = [models.Index(fields=["batch", "state"])]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row}"


class Entry(AppendOnlyModel):
    """One money event, as the unit that recorded it saw it. Its postings balance to zero,
    for the entry and for every unit in it."""

    organisation = models.ForeignKey(
        "structure.OrgUnit", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "structure.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("jenis"), max_length=12, choices=EntryKind.choices)
    on = models.DateField(_("tanggal"))
    description = models.CharField(_("uraian"), max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("dicatat"), auto_now_add=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("membatalkan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    reason = models.CharField(_("alasan"), max_length=200, blank=True)
    #: Idempotency: a form's one-time token or a file row; posting the same key twice is
    #: refused by the database.
    key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    batch = models.ForeignKey(
        CheckoffBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    receipt = models.FileField(_("bukti"), upload_to="bukti/%Y/%m", blank=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("jurnal")
        verbose_name_plural = _("jurnal")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["unit", "on"])]

    def __str__(self) -> str:
        return f"{self.on:%d-%m-%Y} {self.description}"


class Posting(AppendOnlyModel):
    """One line of an entry in one unit's books: an account, a signed amount (debit
    positive), and for shares owed between levels the unit on the other side."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="postings")
    unit = models.ForeignKey("structure.OrgUnit", on_delete=models.PROTECT, related_name="+")
    account = models.CharField(_("akun"), max_length=16, choices=Account.choices)
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    on = models.DateField(_("tanggal"))
    counterparty = models.ForeignKey(
        "structure.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        CashCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("posting")
        verbose_name_plural = _("posting")
        indexes = [models.Index(fields=["unit", "account", "on"])]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.account} {self.amount}"


class Payment(AppendOnlyModel):
    """A member's dues payment (or its reversal, with negative amount and months): which
    months it covers, how it was paid, its receipt."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="payments")
    # No index of their own: the (member, period) and (unit, on) indexes below start with
    # them, and a check-off month writes a million payments (two indexes fewer to fill).
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("anggota"),
        on_delete=models.PROTECT,
        related_name="payments",
        db_index=False,
    )
    unit = models.ForeignKey(
        "structure.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    method = models.CharField(_("cara bayar"), max_length=12, choices=Method.choices)
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    joining_fee = models.BigIntegerField(_("uang pangkal (Rp)"), default=0)
    period = models.DateField(_("mulai bulan"))
    months = models.IntegerField(_("jumlah bulan"))
    on = models.DateField(_("tanggal bayar"))
    receipt_number = models.CharField(_("nomor kuitansi"), max_length=40, blank=True)
    reference = models.CharField(_("referensi transfer/QRIS"), max_length=100, blank=True)
    proof = models.FileField(_("bukti transfer"), upload_to="bukti/%Y/%m", blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("pembayaran iuran")
        verbose_name_plural = _("pembayaran iuran")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["member", "period"]), models.Index(fields=["unit", "on"])]

    def __str__(self) -> str:
        return f"{self.receipt_number or self.pk} · {self.on:%d-%m-%Y}"


class MonthClosing(models.Model):
    """A unit's closed month: nothing may be posted into it any more."""

    unit = models.ForeignKey("structure.OrgUnit", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("bulan"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(auto_now_add=True)
    cash_balance = models.BigIntegerField(_("saldo kas akhir bulan (Rp)"))

    objects = AppendOnlyQuerySet.as_manager()
    scope_path_field = "unit__path"
    scope_organisation_wide = False

    class Meta:
        verbose_name = _("tutup buku bulanan")
        verbose_name_plural = _("tutup buku bulanan")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="monthclosing_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%m-%Y}"
