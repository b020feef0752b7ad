"""Choices for dues and the cash book, in the words treasurers use."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Basis(models.TextChoices):
    FIXED = "tetap", _("Jumlah tetap per bulan")
    WAGE = "upah", _("Persen dari upah anggota")
    MINIMUM_WAGE = "ump", _("Persen dari UMP/UMK")


class Method(models.TextChoices):
    CASH = "tunai", _("Tunai")
    TRANSFER = "transfer", _("Transfer bank")
    CHECKOFF = "potong_upah", _("Potong upah (check-off)")
    QRIS = "qris", _("QRIS")


class Account(models.TextChoices):
    """The accounts of every unit's books. Debits are positive, credits negative."""

    CASH = "kas", _("Kas dan bank")
    DUES_INCOME = "iuran", _("Pendapatan iuran")
    OTHER_INCOME = "pendapatan_lain", _("Pendapatan lain")
    EXPENSE = "belanja", _("Belanja")
    PAYABLE = "utang_setoran", _("Setoran terutang ke atas")
    RECEIVABLE = "piutang_setoran", _("Setoran yang akan diterima dari bawah")


class EntryKind(models.TextChoices):
    PAYMENT = "iuran", _("Pembayaran iuran")
    CHECKOFF = "potong_upah", _("Setoran potong upah")
    REMITTANCE = "setoran", _("Setoran antartingkat")
    CASH = "kas", _("Kas")
    REVERSAL = "koreksi", _("Pembatalan (koreksi)")


class Direction(models.TextChoices):
    IN = "masuk", _("Pemasukan")
    OUT = "keluar", _("Pengeluaran")


class LineState(models.TextChoices):
    OPEN = "terbuka", _("Perlu diselesaikan")
    POSTED = "dibukukan", _("Dibukukan")
    IGNORED = "diabaikan", _("Diabaikan")


class LineProblem(models.TextChoices):
    UNMATCHED = "tidak_dikenal", _("Anggota tidak ditemukan")
    AMOUNT = "jumlah_beda", _("Jumlah berbeda dari iuran")
    OUT_OF_SCOPE = "di_luar", _("Anggota di luar unit ini")
    NOT_ACTIVE = "tidak_aktif", _("Anggota tidak aktif")


#: The cash-book categories every organisation starts with (editable afterwards).
SEED_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("rapat", "Rapat", Direction.OUT),
    ("fotokopi", "Fotokopi", Direction.OUT),
    ("atk", "ATK", Direction.OUT),
    ("pertemuan", "Pertemuan", Direction.OUT),
    ("transport", "Transport", Direction.OUT),
    ("aksi", "Aksi", Direction.OUT),
    ("pelatihan", "Pelatihan", Direction.OUT),
    ("advokasi", "Advokasi", Direction.OUT),
    ("sumbangan", "Sumbangan", Direction.IN),
    ("lain-lain", "Lain-lain", ""),
)
