"""Choices for organising, in the words organisers use."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Assessment(models.IntegerChoices):
    """How a worker stands towards the union, as organisers rate it (1 = leader, 5 = hostile)."""

    LEADER = 1, _("1 · Pemimpin")
    SUPPORTER = 2, _("2 · Pendukung")
    UNDECIDED = 3, _("3 · Ragu-ragu")
    OPPOSED = 4, _("4 · Menolak")
    HOSTILE = 5, _("5 · Memusuhi")


#: The pipeline every organisation starts with (seed 002): code, name, counts as membership.
SEED_STAGES: tuple[tuple[str, str, bool], ...] = (
    ("informasi", "Pengumpulan informasi", False),
    ("kontak-poin", "Kontak poin", False),
    ("pendidikan", "Pendidikan", False),
    ("anggota", "Anggota", True),
)


class ActivityKind(models.TextChoices):
    VISIT = "kunjungan", _("Kunjungan")
    MEETING = "pertemuan", _("Pertemuan / rapat")
    LEAFLET = "selebaran", _("Selebaran / poster")
    SOCIAL = "media_sosial", _("Unggahan media sosial")
    TRAINING = "pendidikan", _("Pendidikan")
    OTHER = "lain", _("Lainnya")


class Source(models.TextChoices):
    """Where an indicator's result comes from: computed from Himpun's data, or typed in."""

    JOINS = "anggota_baru", _("Anggota baru (dihitung)")
    ACTIVE = "anggota_aktif", _("Anggota aktif (dihitung)")
    DENSITY = "kepadatan", _("Kepadatan di tempat kerja, % (dihitung)")
    DUES_RATE = "iuran", _("Tingkat penagihan iuran, % (dihitung)")
    UNITS = "unit_baru", _("Unit baru terbentuk (dihitung)")
    CONTACTS = "kontak_maju", _("Kontak naik tahap (dihitung)")
    MANUAL = "manual", _("Diisi manual")


#: The indicators every organisation starts with (editable afterwards): code, name, source.
SEED_INDICATORS: tuple[tuple[str, str, str], ...] = (
    ("anggota-baru", "Anggota baru", Source.JOINS),
    ("anggota-aktif", "Anggota aktif", Source.ACTIVE),
    ("kepadatan", "Kepadatan anggota di tempat kerja", Source.DENSITY),
    ("iuran", "Tingkat penagihan iuran", Source.DUES_RATE),
    ("unit-baru", "Unit baru terbentuk", Source.UNITS),
    ("kontak-maju", "Kontak naik tahap", Source.CONTACTS),
)


class PeriodKind(models.TextChoices):
    YEAR = "tahun", _("Tahun")
    SEMESTER = "semester", _("Semester")
    QUARTER = "triwulan", _("Triwulan")


class TargetMode(models.TextChoices):
    OWN = "sendiri", _("Target sendiri")
    SUM = "jumlah", _("Jumlah target unit di bawahnya")


class ActionStatus(models.TextChoices):
    PLANNED = "rencana", _("Rencana")
    ONGOING = "berjalan", _("Berjalan")
    DONE = "selesai", _("Selesai")
    CANCELLED = "batal", _("Batal")


#: Action items still to be done (overdue when past their due date).
OPEN_ACTIONS = {ActionStatus.PLANNED, ActionStatus.ONGOING}
