"""Choices for members, in the words unions use."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Gender(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


class Status(models.TextChoices):
    APPLICANT = "calon", _("Calon anggota")
    REJECTED = "ditolak", pgettext_lazy("status", "Ditolak")
    ACTIVE = "aktif", _("Aktif")
    INACTIVE = "nonaktif", _("Nonaktif")
    LEFT = "keluar", _("Keluar")
    EXPELLED = "diberhentikan", _("Diberhentikan")
    DECEASED = "meninggal", _("Meninggal")


#: Which status may follow which. Rejection, leaving, expulsion and death are final.
TRANSITIONS: dict[str, set[str]] = {
    Status.APPLICANT: {Status.ACTIVE, Status.REJECTED, Status.LEFT},
    Status.ACTIVE: {Status.INACTIVE, Status.LEFT, Status.EXPELLED, Status.DECEASED},
    Status.INACTIVE: {Status.ACTIVE, Status.LEFT, Status.EXPELLED, Status.DECEASED},
    Status.REJECTED: set(),
    Status.LEFT: set(),
    Status.EXPELLED: set(),
    Status.DECEASED: set(),
}


class EmploymentStatus(models.TextChoices):
    PERMANENT = "pkwtt", _("PKWTT (tetap)")
    FIXED_TERM = "pkwt", _("PKWT (kontrak)")
    OUTSOURCED = "alih_daya", _("Alih daya (outsourcing)")
    DAILY = "harian_lepas", _("Harian lepas")
    PARTNER = "mitra", _("Mitra (platform)")
    DOMESTIC = "prt", _("Pekerja rumah tangga")
    INFORMAL = "informal", _("Informal")


class Channel(models.TextChoices):
    ADVOCACY = "advokasi", _("Dari bawah: advokasi keluhan")
    SOCIAL_MEDIA = "media_sosial", _("Media sosial")
    TOP_DOWN = "negosiasi", _("Dari atas: negosiasi manajemen")
    POSTER = "poster", _("Poster / selebaran")
    REFERRAL = "ajakan", _("Ajakan teman")
    OTHER = "lain", _("Lainnya")


class ConsentMethod(models.TextChoices):
    PAPER = "formulir", _("Formulir kertas bertanda tangan")
    ONLINE = "daring", _("Formulir daring")
    VERBAL = "lisan", _("Lisan, dicatat pengurus")


class TransferState(models.TextChoices):
    REQUESTED = "diminta", _("Menunggu persetujuan")
    ACCEPTED = "diterima", _("Diterima")
    REJECTED = "ditolak", pgettext_lazy("status", "Ditolak")
    CANCELLED = "dibatalkan", _("Dibatalkan")


class DuplicateState(models.TextChoices):
    OPEN = "terbuka", _("Perlu diperiksa")
    MERGED = "digabung", _("Digabung")
    DISMISSED = "bukan", _("Bukan duplikat")


class DuplicateReason(models.TextChoices):
    NIK = "nik", _("NIK sama")
    PHONE = "hp", _("Nomor HP sama")
    NAME_BIRTH = "nama", _("Nama mirip, tanggal lahir sama")
