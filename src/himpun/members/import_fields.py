"""What a member spreadsheet may hold, and how one row of it becomes member data.

`member_row_parse` runs once per row of imports up to a million rows, so it avoids the slow
general validators where a cheap check gives the same answer (see `himpun.imports.parsing`)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from himpun.imports.mapping import Field
from himpun.imports.parsing import (
    BLANKS,
    Memo,
    ParseError,
    choices_map,
    date_parser,
    is_blank,
    nik_facts,
    parse_choice,
    parse_gender,
    parse_name,
    parse_nik,
    parse_phone,
    phone_numbers,
    region_parser,
)
from himpun.members.choices import Channel, EmploymentStatus, Gender, Status
from himpun.members.models import Member
from himpun.members.validation import nik_crosscheck, search_name, word_key

MEMBER_FIELDS: tuple[Field, ...] = (
    Field(
        "number",
        gettext_lazy("Nomor anggota"),
        ("no anggota", "nomor anggota", "no kta", "nomor kta", "kta", "no induk anggota",
         "nia", "member number", "member no", "membership number"),
    ),
    Field(
        "full_name",
        gettext_lazy("Nama lengkap"),
        ("nama", "nama lengkap", "nama anggota", "nama pekerja", "nama karyawan", "full name",
         "name", "member name"),
        required=True,
    ),
    Field(
        "gender",
        gettext_lazy("Jenis kelamin"),
        ("jenis kelamin", "jk", "l p", "kelamin", "sex", "gender", "jns kelamin", "jenkel"),
    ),
    Field(
        "birth_date",
        gettext_lazy("Tanggal lahir"),
        ("tanggal lahir", "tgl lahir", "tgl lhr", "tanggal lhr", "date of birth", "dob",
         "birth date", "birthdate", "birthday"),
    ),
    Field(
        "birth_place",
        gettext_lazy("Tempat lahir"),
        ("tempat lahir", "tmp lahir", "tmpt lahir", "kota lahir", "place of birth",
         "birth place", "birthplace"),
    ),
    Field(
        # "Jakarta, 17-08-1990" in one column, as Indonesian forms print it.
        "birth_place_date",
        gettext_lazy("Tempat, tanggal lahir"),
        ("ttl", "tempat tanggal lahir", "tempat tgl lahir", "tmp tgl lahir", "tempat tgl lhr",
         "tempat dan tanggal lahir", "place and date of birth"),
    ),
    Field(
        "nik",
        gettext_lazy("NIK"),
        ("nik", "no ktp", "nomor ktp", "ktp", "nik ktp", "no nik", "nomor nik",
         "nomor induk kependudukan", "id number", "national id", "nik e ktp"),
    ),
    Field(
        "phone",
        gettext_lazy("Nomor HP"),
        ("no hp", "nomor hp", "hp", "no telp", "no telepon", "nomor telepon", "telepon", "telp",
         "whatsapp", "wa", "no wa", "nomor wa", "no hp wa", "nomor hp wa", "handphone",
         "no handphone", "phone", "mobile", "phone number", "mobile phone", "kontak"),
    ),
    Field("email", gettext_lazy("Email"), ("email", "e mail", "surel", "alamat email")),
    Field(
        "address",
        gettext_lazy("Alamat"),
        ("alamat", "alamat rumah", "alamat lengkap", "alamat tinggal", "alamat domisili",
         "domisili", "address", "home address"),
    ),
    Field("province", gettext_lazy("Provinsi"), ("provinsi", "propinsi", "prov", "province")),
    Field(
        "regency",
        gettext_lazy("Kabupaten/kota"),
        ("kabupaten kota", "kab kota", "kota kabupaten", "kota kab", "kabupaten", "kota", "kab",
         "regency", "city", "regency city"),
    ),
    Field("district", gettext_lazy("Kecamatan"), ("kecamatan", "kec", "district", "distrik")),
    Field(
        "village",
        gettext_lazy("Desa/kelurahan"),
        ("desa kelurahan", "kelurahan desa", "kelurahan", "desa", "kel desa", "desa kel", "kel",
         "village"),
    ),
    Field(
        "unit",
        gettext_lazy("Unit"),
        ("unit", "kode unit", "nama unit", "puk", "pk", "komisariat", "unit kerja",
         "basis", "union unit", "unit code"),
    ),
    Field(
        "employer",
        gettext_lazy("Perusahaan"),
        ("perusahaan", "nama perusahaan", "pt", "tempat kerja", "employer", "company",
         "company name"),
    ),
    Field(
        "department",
        gettext_lazy("Bagian"),
        ("bagian", "departemen", "dept", "divisi", "seksi", "department", "division"),
    ),
    Field("shift", gettext_lazy("Shift"), ("shift", "sif", "regu", "grup shift")),
    Field(
        "job_title",
        gettext_lazy("Jabatan"),
        ("jabatan", "pekerjaan", "posisi", "job", "job title", "position", "occupation"),
    ),
    Field(
        "employment_status",
        gettext_lazy("Status kerja"),
        ("status kerja", "status karyawan", "status pekerja", "status hubungan kerja",
         "status kepegawaian", "jenis kontrak", "employment status", "employment type"),
    ),
    Field(
        "joined_on",
        gettext_lazy("Tanggal bergabung"),
        ("tanggal masuk", "tgl masuk", "tanggal bergabung", "tgl bergabung", "tgl gabung",
         "tanggal gabung", "tanggal daftar", "tgl daftar", "mulai anggota", "joined",
         "join date", "date joined", "member since"),
    ),
    Field(
        "status",
        gettext_lazy("Status keanggotaan"),
        ("status keanggotaan", "status anggota", "status", "keanggotaan", "member status",
         "membership status"),
    ),
    Field(
        "recruitment_channel",
        gettext_lazy("Jalur rekrutmen"),
        ("jalur rekrutmen", "saluran rekrutmen", "sumber", "sumber rekrutmen", "direkrut lewat",
         "recruitment channel", "channel", "source"),
    ),
)  # fmt: skip

LABELS = {f.name: f.label for f in MEMBER_FIELDS}

EMPLOYMENT_CHOICES = choices_map(
    EmploymentStatus,
    {
        EmploymentStatus.PERMANENT: ("tetap", "karyawan tetap", "pegawai tetap", "permanen",
                                     "permanent", "ktt"),
        EmploymentStatus.FIXED_TERM: ("kontrak", "karyawan kontrak", "pegawai kontrak",
                                      "contract", "fixed term", "kwt"),
        EmploymentStatus.OUTSOURCED: ("outsourcing", "outsource", "os", "alih daya",
                                      "tenaga alih daya", "agency"),
        EmploymentStatus.DAILY: ("harian", "harian lepas", "buruh harian", "bhl", "borongan",
                                 "daily", "casual"),
        EmploymentStatus.PARTNER: ("mitra", "ojol", "driver online", "kurir", "partner",
                                   "platform", "gig"),
        EmploymentStatus.DOMESTIC: ("prt", "art", "asisten rumah tangga",
                                    "pembantu rumah tangga", "domestic worker"),
        EmploymentStatus.INFORMAL: ("informal", "pekerja informal", "mandiri"),
    },
)  # fmt: skip
STATUS_CHOICES = choices_map(
    Status,
    {
        Status.APPLICANT: ("calon", "calon anggota", "pendaftar", "applicant", "baru"),
        Status.ACTIVE: ("aktif", "anggota", "anggota aktif", "active", "ya", "y"),
        Status.INACTIVE: ("nonaktif", "non aktif", "tidak aktif", "pasif", "inactive"),
        Status.LEFT: ("keluar", "mengundurkan diri", "resign", "berhenti", "left"),
        Status.EXPELLED: ("diberhentikan", "dipecat", "dikeluarkan", "expelled"),
        Status.DECEASED: ("meninggal", "meninggal dunia", "almarhum", "almarhumah", "wafat",
                          "deceased"),
        Status.REJECTED: ("ditolak", "rejected"),
    },
)  # fmt: skip
CHANNEL_CHOICES = choices_map(
    Channel,
    {
        Channel.ADVOCACY: ("advokasi", "kasus", "pengaduan", "keluhan", "advocacy"),
        Channel.SOCIAL_MEDIA: ("media sosial", "medsos", "sosmed", "facebook", "instagram",
                               "tiktok", "social media"),
        Channel.TOP_DOWN: ("negosiasi", "manajemen", "dari atas", "top down"),
        Channel.POSTER: ("poster", "selebaran", "brosur", "pamflet", "leaflet", "flyer"),
        Channel.REFERRAL: ("ajakan", "ajakan teman", "teman", "rekan kerja", "referral",
                           "friend"),
        Channel.OTHER: ("lain", "lainnya", "lain lain", "other"),
    },
)  # fmt: skip


def _max_length(name: str) -> int | None:
    return Member._meta.get_field(name).max_length


_EMAIL_MAX = _max_length("email") or 254
_REGION_FIELDS = ("province", "regency", "district", "village")

#: Every key `ParsedRow.data` has, with its value when the column is absent or empty. An
#: empty status means "not given": the import decides the default.
EMPTY_ROW: dict[str, object] = {
    "full_name": "",
    "search_name": "",
    "search_key": "",
    "gender": "",
    "birth_date": None,
    "birth_place": "",
    "nik": "",
    "phone": "",
    "email": "",
    "region_code": "",
    "address": "",
    "unit_ref": "",
    "employer_ref": "",
    "department": "",
    "shift": "",
    "job_title": "",
    "employment_status": "",
    "joined_on": None,
    "status": "",
    "recruitment_channel": "",
    "number": "",
}

_FLOAT_ZERO = re.compile(r"(\d+)\.0+", re.ASCII)
_TWO_PHONES = re.compile(r"[/,;|&]|\s(?:atau|dan|or)\s", re.IGNORECASE)
# A strict subset of what Django's EmailValidator accepts: these need no further check.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
_FIRST_DIGIT = re.compile(r"\d")
#: Placeholders in every case people type them ("-", "N/A", "Tidak Ada"): one set lookup.
_BLANKS = frozenset(
    variant for b in BLANKS for variant in (b, b.upper(), b.title(), b.capitalize())
)


@dataclass(slots=True)
class ParsedRow:
    """One spreadsheet row read as member data; a row with errors is not imported."""

    data: dict[str, object]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _labelled(name: str, message: str) -> str:
    # "Tanggal lahir: tanggal “…” tidak ada." — a sentence start loses its capital after the
    # label, an acronym ("NIK …") keeps it.
    if message[1:2].islower():
        message = message[0].lower() + message[1:]
    return f"{LABELS[name]}: {message}"


_word_keys = Memo(word_key, size=200_000)


def _name_keys(full_name: str) -> tuple[str, str]:
    """(search_name, name_key) of a name, name_key's work cached per word: name words repeat
    across a membership far more than whole names do."""
    # search_name without its regular expression for the usual names: letters, single
    # spaces (parse_name leaves no others) and the punctuation names carry ("Nur'aini",
    # "M. Ridwan", "Al-Fatih", "S.Pd.").
    plain = full_name.lower()
    if not plain.replace(" ", "").isalpha():
        plain = plain.replace("'", "").replace(".", "").replace(",", "").replace("-", "")
        if plain.replace(" ", "").isalpha():
            plain = " ".join(plain.split())
        else:
            plain = search_name(full_name)
    plain = plain[:150]
    keys = _word_keys
    return plain, " ".join([k for k in [keys[w] for w in plain.split()] if k])[:150]


def _memo(parse: Callable[[str], object], empty: object = "") -> Memo:
    """A cell's meaning by its raw text, for columns whose values repeat (gender, dates,
    department, unit…): most rows then cost one dict lookup per such column."""
    return Memo(lambda raw: empty if is_blank(raw) else parse(raw.strip()), size=16384)


def _text(name: str) -> Callable[[str], str]:
    """Single spaces; too long is an error, never a silent cut."""
    limit = _max_length(name)

    def parse(value: str) -> str:
        value = " ".join(value.split())
        if limit and len(value) > limit:
            raise ParseError(
                _("Terlalu panjang (%(length)d huruf; paling banyak %(max)d).")
                % {"length": len(value), "max": limit}
            )
        return value

    return parse


def _whole(value: str) -> str:
    # A number cell read as a float ("1234.0") means the number the sheet showed.
    if "." in value and (m := _FLOAT_ZERO.fullmatch(value)):
        return m.group(1)
    return value


def _ref(value: str) -> str:
    """Unit and employer stay text: the import resolves them against its own records."""
    return " ".join(_whole(value).split())


# The other columns are mostly different on every row. Each handler reads one non-empty,
# stripped cell into `data`; a ParseError rejects the row.
Handler = Callable[[str, dict[str, object], list[str], dict[str, str], dict], None]


def _full_name(value: str, data: dict, warnings: list, values: dict, specs: dict) -> None:
    data["full_name"] = parse_name(value)


def _nik(value: str, data: dict, warnings: list, values: dict, specs: dict) -> None:
    data["nik"], found = parse_nik(value)
    if found:
        warnings += [_labelled("nik", w) for w in found]


def _phone(value: str, data: dict, warnings: list, values: dict, specs: dict) -> None:
    data["phone"] = phone = parse_phone(value)
    # "+62 812-3456-7890" is 17 characters: only a longer cell can hold two numbers.
    if len(value) > 17 and _TWO_PHONES.search(value) and len(phone_numbers(value)) > 1:
        message = _("Hanya nomor pertama yang disimpan: %(phone)s.") % {"phone": phone}
        warnings.append(_labelled("phone", message))


def _email(value: str, data: dict, warnings: list, values: dict, specs: dict) -> None:
    email = value.lower()
    if len(email) > _EMAIL_MAX:
        raise ParseError(_("Terlalu panjang."))
    if not _PLAIN_EMAIL.fullmatch(email):
        try:
            validate_email(email)
        except ValidationError:
            raise ParseError(_("“%(value)s” bukan alamat email.") % {"value": value}) from None
    data["email"] = email


_number_text = _text("number")


def _number(value: str, data: dict, warnings: list, values: dict, specs: dict) -> None:
    data["number"] = _number_text(_whole(value))


_ADDRESS_MAX = _max_length("address")  # none today: a TextField


def _address(value: str, data: dict, warnings: list, values: dict, specs: dict) -> None:
    if _ADDRESS_MAX and len(value) > _ADDRESS_MAX:
        raise ParseError(_("Terlalu panjang."))
    data["address"] = value


def _birth_place_date(value: str, data: dict, warnings: list, values: dict, specs: dict) -> None:
    """ "Jakarta, 17-08-1990": the date starts at the first digit. Separate birth place and
    birth date columns, when the sheet has them too, are the more careful source."""
    m = _FIRST_DIGIT.search(value)
    place = (value[: m.start()] if m else value).strip(" ,;/-")
    if place and is_blank(values.get("birth_place") or ""):
        data["birth_place"] = specs["birth_place"][1][place]  # type: ignore[index]
    if m and is_blank(values.get("birth_date") or ""):
        data["birth_date"] = specs["birth_date"][1][value[m.start() :]]  # type: ignore[index]


#: Field → (data key, cache of parsed values, or the handler for columns not worth caching).
Spec = tuple[str, Memo | None, Handler | None]


@lru_cache(maxsize=4)
def _specs(today: datetime.date) -> dict[str, Spec]:
    dates = date_parser(today)
    cached = {
        "gender": ("gender", _memo(parse_gender)),
        "birth_date": ("birth_date", dates),
        "joined_on": ("joined_on", dates),
        "birth_place": ("birth_place", _memo(_text("birth_place"))),
        "department": ("department", _memo(_text("department"))),
        "shift": ("shift", _memo(_text("shift"))),
        "job_title": ("job_title", _memo(_text("job_title"))),
        "unit": ("unit_ref", _memo(_ref)),
        "employer": ("employer_ref", _memo(_ref)),
        "employment_status": ("employment_status", _memo(_chooser(EMPLOYMENT_CHOICES))),
        "status": ("status", _memo(_chooser(STATUS_CHOICES))),
        "recruitment_channel": ("recruitment_channel", _memo(_chooser(CHANNEL_CHOICES))),
    }
    handled = {
        "number": _number,
        "full_name": _full_name,
        "birth_place_date": _birth_place_date,
        "nik": _nik,
        "phone": _phone,
        "email": _email,
        "address": _address,
    }
    # province, regency, district and village are read together, after the cells
    return {
        **{name: (key, memo, None) for name, (key, memo) in cached.items()},
        **{name: (name, None, handler) for name, handler in handled.items()},
    }


def _chooser(choices: dict[str, str]) -> Callable[[str], str]:
    return partial(parse_choice, choices=choices)


@lru_cache(maxsize=16)
def _gender_from_nik(language: str | None, gender: str) -> str:
    # A whole sheet without a gender column gives this warning on every row.
    message = _("Diisi dari NIK: %(gender)s.") % {"gender": Gender(gender).label}
    return _labelled("gender", message)


def _day(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


def member_row_parse(values: dict[str, str], *, today: datetime.date) -> ParsedRow:
    """Member data from one row's raw texts (field name → cell), with the reasons it cannot
    be imported (errors) and the things worth a second look (warnings)."""
    data = EMPTY_ROW.copy()
    errors: list[str] = []
    warnings: list[str] = []
    failed: set[str] = set()
    specs = _specs(today)
    blanks = _BLANKS

    for name, raw in values.items():
        spec = specs.get(name)
        if spec is None or not raw:
            continue
        key, memo, handler = spec
        try:
            if memo is not None:
                data[key] = memo[raw]
            else:
                value = raw.strip()
                if value and value not in blanks:
                    handler(value, data, warnings, values, specs)  # type: ignore[misc]
        except ParseError as exc:
            failed.add(name)
            errors.append(_labelled(name, exc.message))

    full_name: str = data["full_name"]  # type: ignore[assignment]
    if full_name:
        data["search_name"], data["search_key"] = _name_keys(full_name)
    elif "full_name" not in failed:
        errors.append(_labelled("full_name", _("Wajib diisi.")))

    region = (
        values.get("province") or "",
        values.get("regency") or "",
        values.get("district") or "",
        values.get("village") or "",
    )
    if region != _NO_REGION:
        data["region_code"], found, error = region_parser(get_language())[region]
        if error:
            errors.append(_labelled(_region_label(region), error))
        elif found:
            warnings += [_labelled(_region_label(region), w) for w in found]

    birth_date: datetime.date | None = data["birth_date"]  # type: ignore[assignment]
    if birth_date is not None:
        if birth_date > today:
            message = _("%(date)s ada di masa depan.") % {"date": _day(birth_date)}
            errors.append(_labelled("birth_date", message))
        elif birth_date.year < today.year - 100:
            message = _("%(date)s lebih dari 100 tahun yang lalu.") % {"date": _day(birth_date)}
            errors.append(_labelled("birth_date", message))
    joined_on: datetime.date | None = data["joined_on"]  # type: ignore[assignment]
    if joined_on is not None:
        if joined_on > today:
            message = _("%(date)s ada di masa depan.") % {"date": _day(joined_on)}
            errors.append(_labelled("joined_on", message))
        elif birth_date is not None and joined_on < birth_date:
            errors.append(_labelled("joined_on", _("Sebelum tanggal lahir.")))

    nik: str = data["nik"]  # type: ignore[assignment]
    gender: str = data["gender"]  # type: ignore[assignment]
    if nik:
        facts = nik_facts(nik)
        if facts is not None:
            day, month, yy, nik_gender = facts
            if not gender and "gender" not in failed:
                gender = data["gender"] = nik_gender
                warnings.append(_gender_from_nik(get_language(), gender))
            if (gender and gender != nik_gender) or (
                birth_date is not None
                and (
                    birth_date.day != day
                    or birth_date.month != month
                    or birth_date.year % 100 != yy
                )
            ):
                warnings += [_labelled("nik", w) for w in nik_crosscheck(nik, gender, birth_date)]
    if not gender and "gender" not in failed:
        errors.append(_labelled("gender", _("Wajib diisi (L atau P).")))

    return ParsedRow(data, errors, warnings)


_NO_REGION = ("", "", "", "")


def _region_label(region: tuple[str, ...]) -> str:
    """The deepest region column given, to name in a region message."""
    return next(
        (name for name, text in zip(_REGION_FIELDS[::-1], region[::-1], strict=True) if text),
        "province",
    )
