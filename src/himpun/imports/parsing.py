"""Reading the values people type into Indonesian spreadsheets: dates, phones, NIK, names,
choices, regions and rupiah amounts.

Every function takes the raw cell text and returns a normalised value or raises `ParseError`
with a message for the person who fixes the sheet. An import parses each value of up to a
million rows, so the common spellings take a fast path (precompiled patterns, dictionaries,
caches of repeated values) and only unusual ones reach the slower general code."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache, partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Choices
from django.utils import translation
from django.utils.translation import gettext as _
from lokal import wilayah
from lokal.provinces import PROVINCES

from himpun.members.validation import nik_clean, nik_crosscheck, phone_clean


class ParseError(ValueError):
    """A cell value that cannot be read; the message says how to write it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _validation_message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


class Memo(dict):
    """A cache for a one-argument function over values that repeat in a sheet (dates, gender,
    status, places, name words). A hit is a plain dict lookup, cheaper than an lru_cache
    call on the hot path; it empties itself when full. Errors are not cached."""

    def __init__(self, func: Callable[[Any], Any], size: int = 65536) -> None:
        super().__init__()
        self.func = func
        self.size = size

    def __missing__(self, key: Any) -> Any:
        if len(self) >= self.size:
            self.clear()
        value = self[key] = self.func(key)
        return value


# --- text ------------------------------------------------------------------------------------

_NOT_ALNUM = re.compile(r"[\W_]+")


@lru_cache(maxsize=8192)
def normalise_text(s: str) -> str:
    """Lower case, accents and punctuation gone, single spaces: "Tgl_Lahir" → "tgl lahir"."""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join(_NOT_ALNUM.sub(" ", s.lower()).split())


#: Cell texts that mean "nothing here" in real sheets.
BLANKS = frozenset(
    {"-", "--", "---", "—", "–", ".", "..", "?", "0", "n/a", "na", "#n/a", "null", "none",
     "nil", "kosong", "tidak ada", "tdk ada", "belum ada", "tidak punya", "belum punya"}
)  # fmt: skip


def is_blank(s: str) -> bool:
    """Whether a cell says nothing: empty, spaces, or a placeholder such as "-" or "N/A"."""
    s = s.strip()
    return not s or (len(s) <= 11 and s.lower() in BLANKS)


# --- dates -----------------------------------------------------------------------------------

_TIME = r"(?:[ T]+\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_DMY = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_YMD = re.compile(r"(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})" + _TIME)
_D_MONTH_Y = re.compile(r"(\d{1,2})[\s.\-/]*([^\W\d_]+)\.?[\s.\-/,]*(\d{4}|\d{2})")
_MONTH_D_Y = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})")
_SERIAL = re.compile(r"(\d{1,5})(?:\.\d+)?")
_WEEKDAY = re.compile(
    r"(?:senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"sen|sel|rab|kam|jum|sab|min|mon|tue|wed|thu|fri|sat|sun)\.?,?\s+",
    re.IGNORECASE,
)

MONTHS = {
    **dict.fromkeys(("januari", "jan", "january", "janv"), 1),
    **dict.fromkeys(("februari", "pebruari", "feb", "peb", "pebr", "febr", "february"), 2),
    **dict.fromkeys(("maret", "mar", "mrt", "march"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("juni", "jun", "june"), 6),
    **dict.fromkeys(("juli", "jul", "july"), 7),
    **dict.fromkeys(("agustus", "agu", "agt", "ags", "agust", "aug", "august", "agus"), 8),
    **dict.fromkeys(("september", "sep", "sept", "spt"), 9),
    **dict.fromkeys(("oktober", "okt", "oct", "october"), 10),
    **dict.fromkeys(("november", "nov", "nop", "nopember"), 11),
    **dict.fromkeys(("desember", "des", "dec", "december"), 12),
}

#: Excel's 1900 date system counts 29 February 1900, a day that never was (serial 60).
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_SERIAL_MAX = 80000  # 2119; anything larger is not a date
_YEAR_MIN, _YEAR_MAX = 1900, 2100


def _unrecognised(s: str) -> ParseError:
    return ParseError(
        _("Tanggal “%(value)s” tidak dikenali; tulis seperti 17/08/1990.") % {"value": s}
    )


def _full_year(year: str, today: datetime.date) -> int:
    y = int(year)
    if len(year) == 2:
        # "17/08/90": a two-digit year after this year's is last century's.
        return 1900 + y if y > today.year % 100 else 2000 + y
    return y


def _make_date(
    s: str, year: int, month: int, day: int, *, swapped_hint: bool = False
) -> datetime.date:
    if not _YEAR_MIN <= year <= _YEAR_MAX:
        raise ParseError(
            _("Tanggal “%(value)s”: tahun %(year)d tidak masuk akal.") % {"value": s, "year": year}
        )
    if not 1 <= month <= 12:
        hint = (
            _(" Tanggal ditulis hari/bulan/tahun, misalnya 17/08/1990.")
            if swapped_hint and 1 <= day <= 12 and month <= 31
            else ""
        )
        raise ParseError(
            _("Tanggal “%(value)s”: bulan %(month)d tidak ada.") % {"value": s, "month": month}
            + hint
        )
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ParseError(_("Tanggal “%(value)s” tidak ada.") % {"value": s}) from None


def _from_serial(s: str, serial: int) -> datetime.date:
    if serial == 60:
        raise ParseError(_("Tanggal “%(value)s” tidak ada (29/02/1900).") % {"value": s})
    if serial < 60:
        serial += 1  # before Excel's phantom 29 February 1900
    return _EXCEL_EPOCH + datetime.timedelta(days=serial)


def parse_date(s: str, *, today: datetime.date) -> datetime.date | None:
    """A date written day first, ISO, with Indonesian or English month words, or as an Excel
    serial number; None for an empty cell ("", "-"). Two-digit years up to `today`'s are this
    century's."""
    return date_parser(today)[s]


@lru_cache(maxsize=8)
def date_parser(today: datetime.date) -> Memo:
    """`parse_date` for one `today`, as a cache: text → date (birth dates repeat a lot)."""
    return Memo(partial(_parse_date, today=today))


def _parse_date(s: str, *, today: datetime.date) -> datetime.date | None:
    if is_blank(s):
        return None
    s = s.strip()
    if m := _DMY.fullmatch(s):
        day, _sep, month, year = m.groups()
        return _make_date(s, _full_year(year, today), int(month), int(day), swapped_hint=True)
    if m := _YMD.fullmatch(s):
        year, _sep, month, day = m.groups()
        return _make_date(s, int(year), int(month), int(day))
    text = _WEEKDAY.sub("", s, count=1) if s[:1].isalpha() else s
    if m := _D_MONTH_Y.fullmatch(text):
        day, word, year = m.groups()
        month = MONTHS.get(word.lower())
        if month is None:
            raise ParseError(
                _("Tanggal “%(value)s”: nama bulan “%(month)s” tidak dikenali.")
                % {"value": s, "month": word}
            )
        return _make_date(s, _full_year(year, today), month, int(day))
    if m := _MONTH_D_Y.fullmatch(text):
        word, day, year = m.groups()
        month = MONTHS.get(word.lower())
        if month is not None:
            return _make_date(s, int(year), month, int(day))
    if m := _SERIAL.fullmatch(s):
        serial = int(m.group(1))
        if len(m.group(1)) == 4 and _YEAR_MIN <= serial <= _YEAR_MAX:
            # A lone year: reading it as an Excel serial would invent a day in 1905.
            raise ParseError(
                _("Tanggal “%(value)s” hanya berisi tahun; tulis lengkap seperti 17/08/1990.")
                % {"value": s}
            )
        if 1 <= serial <= _SERIAL_MAX:
            return _from_serial(s, serial)
    raise _unrecognised(s)


# --- phones ----------------------------------------------------------------------------------

_MOBILE = re.compile(r"(?:\+62|62|0)?(8\d{8,11})", re.ASCII)
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
_FLOAT_ZERO = re.compile(r"(\d+)\.0+", re.ASCII)
_PHONE_SPLIT = re.compile(r"\s*(?:[/,;|&]|\s(?:atau|dan|or)\s)\s*", re.IGNORECASE)
_DIGIT = re.compile(r"\d")


def _scientific(s: str) -> bool:
    return ("E" in s or "e" in s) and _SCIENTIFIC.fullmatch(s) is not None


def phone_numbers(s: str) -> list[str]:
    """The separate numbers in one cell ("0812… / 0813…"), each as written."""
    s = s.strip()
    if not s:
        return []
    parts = [p for p in _PHONE_SPLIT.split(s) if len(_DIGIT.findall(p)) >= 7]
    return parts or [s]


@lru_cache(maxsize=8192)
def _phone_slow(s: str) -> str:
    try:
        return phone_clean(s)
    except ValidationError as exc:
        raise ParseError(_validation_message(exc)) from None


def parse_phone(s: str) -> str:
    """An Indonesian phone number in E.164 ("0812-3456-7890" → "+6281234567890"), "" when
    empty. Of two numbers in one cell the first is taken (see `phone_numbers`)."""
    s = s.strip()
    if not s:
        return ""
    compact = s
    if not s.isdigit():
        if "." in s and (m := _FLOAT_ZERO.fullmatch(s)):
            s = compact = m.group(1)  # a number cell read as a float: "81234567890.0"
        else:
            compact = (
                s.replace(" ", "")
                .replace("-", "")
                .replace(".", "")
                .replace("(", "")
                .replace(")", "")
            )
    if m := _MOBILE.fullmatch(compact):
        return "+62" + m.group(1)
    if _scientific(s):
        raise ParseError(
            _("Nomor HP “%(value)s” rusak oleh Excel (notasi ilmiah); format kolom sebagai Teks.")
            % {"value": s}
        )
    numbers = phone_numbers(s)
    if len(numbers) > 1:
        return parse_phone(numbers[0])
    return _phone_slow(s)


# --- NIK -------------------------------------------------------------------------------------

_NIK_NOISE = str.maketrans("", "", " .-'\u00a0\t")
_DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _nik_facts(ddmmyy: str) -> tuple[int, int, int, str] | None:
    day, month, yy = int(ddmmyy[0:2]), int(ddmmyy[2:4]), int(ddmmyy[4:6])
    gender = "L"
    if day > 40:
        day -= 40
        gender = "P"
    if not (1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month]):
        return None
    if month == 2 and day == 29 and yy % 4:
        return None  # no century makes 29 February real in a year not divisible by 4
    return day, month, yy, gender


# Birth dates repeat: keyed by the NIK's six date digits.
_nik_dates = Memo(_nik_facts, size=100_000)
_ASCII_DIGITS = re.compile(r"\d+", re.ASCII)


def nik_facts(nik: str) -> tuple[int, int, int, str] | None:
    """(day, month, two-digit year, gender) encoded in a 16-digit NIK; None when the digits
    are not a real date."""
    if len(nik) != 16 or not _ASCII_DIGITS.fullmatch(nik):
        return None
    return _nik_dates[nik[6:12]]


#: A NIK with a known province, no 00 region part and no 0000 serial (nik_clean's checks
#: except the date, which `nik_facts` adds).
_NIK_SHAPE = re.compile(
    "(?:" + "|".join(sorted(PROVINCES)) + r")(?!00)\d\d(?!00)\d\d\d{6}(?!0000)\d{4}", re.ASCII
)


def parse_nik(s: str) -> tuple[str, list[str]]:
    """The 16 digits of a NIK and its warnings (unknown region prefix)."""
    digits = s.strip()
    if not digits:
        return "", []
    if len(digits) != 16 or not digits.isdigit():
        if _scientific(digits):
            raise ParseError(_("NIK rusak oleh Excel (notasi ilmiah); format kolom sebagai Teks."))
        if "." in digits and (m := _FLOAT_ZERO.fullmatch(digits)):
            if len(m.group(1)) == 16 and m.group(1).endswith("0"):
                # Excel keeps 15 significant digits: a NIK stored as a number lost its last.
                raise ParseError(
                    _("NIK disimpan Excel sebagai angka sehingga digit terakhirnya hilang; "
                      "format kolom sebagai Teks dan ketik ulang.")
                )  # fmt: skip
            digits = m.group(1)
        digits = digits.replace(" ", "").replace(".", "").replace("-", "").replace("'", "")
        if not digits.isdigit():
            digits = digits.translate(_NIK_NOISE)
    # The same checks as nik_clean, without building lokal's result objects; anything
    # unusual goes to nik_clean so that its rules and messages stay the only ones.
    if _NIK_SHAPE.fullmatch(digits) and _nik_dates[digits[6:12]] is not None:
        return digits, []
    try:
        return nik_clean(digits)
    except ValidationError as exc:
        raise ParseError(_validation_message(exc)) from None


def nik_check(nik: str, gender: str | None, birth_date: datetime.date | None) -> list[str]:
    """`nik_crosscheck`'s warnings, asked for only when the NIK really disagrees with the
    gender or birth date (the common case stays cheap)."""
    facts = nik_facts(nik)
    if facts is None:
        return []
    day, month, yy, nik_gender = facts
    if (gender and gender != nik_gender) or (
        birth_date and (birth_date.day, birth_date.month, birth_date.year % 100) != (day, month, yy)
    ):
        return nik_crosscheck(nik, gender, birth_date)
    return []


# --- names -----------------------------------------------------------------------------------

NAME_MAX = 150
_NAME_BAD = re.compile(r"[<>{}\d]")
_NAME_MARKUP = re.compile(r"[<>{}]")
_WORD_START = re.compile(r"(^|[-.])([^\W\d_])", re.UNICODE)
#: Words kept lower case inside a name, as Indonesians write them.
_PARTICLES = frozenset({"bin", "binti", "bt", "van", "von", "der", "den", "de", "da", "dos"})
_ROMAN = frozenset({"ii", "iii", "iv", "vi", "vii", "viii", "ix", "xi", "xii"})


def _title(word: str) -> str:
    if word in _ROMAN:
        return word.upper()
    # After an apostrophe the letter stays small (Nur'aini, Ma'ruf); after "-" and "." it is
    # a new part (Al-Fatih, S.Pd.).
    return _WORD_START.sub(lambda m: m.group(1) + m.group(2).upper(), word)


_titles = Memo(_title)


def parse_name(s: str) -> str:
    """A person's name with single spaces; a name typed in one case gets capitals."""
    name = " ".join(s.split())
    if not name:
        raise ParseError(_("Nama wajib diisi."))
    if len(name) > NAME_MAX:
        raise ParseError(
            _("Nama terlalu panjang (%(length)d huruf; paling banyak %(max)d).")
            % {"length": len(name), "max": NAME_MAX}
        )
    if _NAME_BAD.search(name):
        if _NAME_MARKUP.search(name):
            raise ParseError(_("Nama tidak boleh berisi tanda < > { }."))
        raise ParseError(_("Nama tidak boleh berisi angka."))
    if name.isupper() or name.islower():
        first, *rest = name.lower().split(" ")
        titles = _titles
        name = " ".join([titles[first], *[w if w in _PARTICLES else titles[w] for w in rest]])
    return name


# --- choices ---------------------------------------------------------------------------------

_GENDERS = {
    **dict.fromkeys(
        ("l", "lk", "laki laki", "lakilaki", "laki", "laki2", "lelaki", "pria", "cowok", "m",
         "male", "man"),
        "L",
    ),
    **dict.fromkeys(
        ("p", "pr", "prp", "perempuan", "wanita", "cewek", "w", "f", "female", "woman"), "P"
    ),
}  # fmt: skip


def parse_gender(s: str) -> str:
    """ "L" or "P" from any usual way of writing it; "" when empty."""
    return _genders[s.strip()]


def _gender(s: str) -> str:
    v = _GENDERS.get(s.lower())
    if v is not None:
        return v
    key = normalise_text(s)
    if not key:
        return ""
    v = _GENDERS.get(key)
    if v is None:
        raise ParseError(
            _("Jenis kelamin “%(value)s” tidak dikenali; tulis L atau P.") % {"value": s.strip()}
        )
    return v


_genders = Memo(_gender, size=1024)


def choices_map(
    choices: type[Choices], extra: Mapping[str, Iterable[str]] | None = None
) -> dict[str, str]:
    """Normalised spelling → stored value: each value, its Indonesian label and the parts of
    the label ("PKWTT (tetap)" → "pkwtt (tetap)", "pkwtt", "tetap"), and `extra` variants."""
    found: dict[str, str] = {}
    with translation.override(None):  # the source labels are Indonesian
        for value, label in choices.choices:
            text = str(label)
            keys = {str(value), text, *re.split(r"[()/:]", text)}
            for key in keys:
                found.setdefault(normalise_text(key), str(value))
    for value, spellings in (extra or {}).items():
        for key in spellings:
            found[normalise_text(key)] = value
    found.pop("", None)
    return found


def parse_choice(s: str, choices: Mapping[str, str]) -> str:
    """The stored value of a choice written as its value, label or a known variant."""
    v = choices.get(s)
    if v is not None:
        return v
    key = normalise_text(s)
    if not key:
        return ""
    v = choices.get(key)
    if v is None:
        raise ParseError(_("“%(value)s” bukan pilihan yang dikenal.") % {"value": s.strip()})
    return v


# --- regions ---------------------------------------------------------------------------------

_REGION_CODE = re.compile(r"\d{2}(?:\.?\d{2}(?:\.?\d{2}(?:\.?\d{4})?)?)?")
_KIND_PREFIX = re.compile(
    r"(?:(kabupaten administrasi|kabupaten adm|kab adm|kabupaten|kab)"
    r"|(kota administrasi|kota adm|kotamadya|kodya|kota)"
    r"|provinsi|propinsi|prov|prop|kecamatan|kec|distrik|kelurahan|kel|desa|ds) "
)
_PROVINCE_ALIASES = {
    "11": ("nad", "nanggroe aceh darussalam", "di aceh"),
    "12": ("sumut",),
    "13": ("sumbar",),
    "16": ("sumsel",),
    "19": ("babel", "bangka belitung", "kep bangka belitung"),
    "21": ("kepri", "kep riau"),
    "31": ("dki jakarta", "jakarta", "dki", "dk jakarta", "daerah khusus jakarta"),
    "32": ("jabar",),
    "33": ("jateng",),
    "34": ("di yogyakarta", "diy", "yogyakarta", "jogja", "jogjakarta", "yogya"),
    "35": ("jatim",),
    "52": ("ntb",),
    "53": ("ntt",),
    "61": ("kalbar",),
    "62": ("kalteng",),
    "63": ("kalsel",),
    "64": ("kaltim",),
    "65": ("kaltara",),
    "71": ("sulut",),
    "72": ("sulteng",),
    "73": ("sulsel",),
    "74": ("sultra",),
    "76": ("sulbar",),
    "82": ("malut",),
    "92": ("pabar",),
}

#: (kind, key) → codes, where kind is "kab", "kota" or "" and key the name without spaces.
_Index = dict[str, list[tuple[str, str]]]


def _keys(name: str) -> list[tuple[str, str]]:
    """Ways to look a name up, best first: "Kab. Bekasi" → [("kab", "bekasi"),
    ("", "kabbekasi")]; spaces never matter ("Gunung Kidul" = "Gunungkidul")."""
    text = normalise_text(name)
    whole = ("", text.replace(" ", ""))
    m = _KIND_PREFIX.match(text)
    if not m:
        return [whole]
    kind = "kab" if m.group(1) else "kota" if m.group(2) else ""
    return [(kind, text[m.end() :].replace(" ", "")), whole]


def _add(index: _Index, code: str, name: str, *, split: bool) -> None:
    kind, key = _keys(name)[0] if split else ("", normalise_text(name).replace(" ", ""))
    index.setdefault(key, []).append((code, kind))


@lru_cache(maxsize=1)
def _region_index() -> dict[int, _Index]:
    """Provinces, kabupaten/kota and kecamatan by name (about 0.3 s to build, once)."""
    index: dict[int, _Index] = {1: {}, 2: {}, 3: {}}
    for province in wilayah.list_wilayah(None):
        _add(index[1], province.code, province.name, split=False)
        for regency in wilayah.list_wilayah(province.code):
            # Official names always start with Kabupaten or Kota: index the bare name.
            _add(index[2], regency.code, regency.name, split=True)
            for district in wilayah.list_wilayah(regency.code):
                _add(index[3], district.code, district.name, split=False)
    for code, aliases in _PROVINCE_ALIASES.items():
        for alias in aliases:
            _add(index[1], code, alias, split=False)
    return index


@lru_cache(maxsize=2048)
def _village_index(district: str) -> _Index:
    """Villages of one kecamatan by name; village names repeat too much to search wider."""
    index: _Index = {}
    for village in wilayah.list_wilayah(district):
        _add(index, village.code, village.name, split=False)
    return index


def _region_name(code: str) -> str:
    return wilayah.wilayah_name(code) or code


def _level_word(level: int) -> str:
    return {
        1: _("Provinsi"),
        2: _("Kabupaten/kota"),
        3: _("Kecamatan"),
        4: _("Desa/kelurahan"),
    }[level]


def _find(text: str, level: int, parent: str) -> str:
    """The code of the one region named or coded `text` at `level`, inside `parent`."""
    compact = text.replace(" ", "")
    if _REGION_CODE.fullmatch(compact):
        code = wilayah.normalize_wilayah_code(compact)
        if wilayah.wilayah_name(code) is None:
            raise ParseError(_("Kode wilayah %(code)s tidak dikenal.") % {"code": text})
        if parent and not code.startswith(parent + "."):
            raise ParseError(
                _("Kode wilayah %(code)s tidak berada di %(parent)s.")
                % {"code": text, "parent": _region_name(parent)}
            )
        return code
    if level == 4:
        if not parent or parent.count(".") != 2:
            raise ParseError(
                _("Desa/kelurahan “%(name)s” hanya dapat dicari bila kecamatannya diisi.")
                % {"name": text}
            )
        index = _village_index(parent)
    else:
        index = _region_index()[level]
    matches: list[tuple[str, str]] = []
    kinds: set[str] = set()
    for kind, key in _keys(text):
        matches = [
            m
            for m in index.get(key, ())
            if (not parent or m[0].startswith(parent + ".")) and (not kind or m[1] == kind)
        ]
        if matches:
            kinds = {m[1] for m in matches}
            break
    codes = sorted({code for code, _kind in matches})
    if len(codes) == 1:
        return codes[0]
    args = {"level": _level_word(level), "name": text, "where": _region_name(parent)}
    if not codes:
        if parent:
            raise ParseError(_("%(level)s “%(name)s” tidak ditemukan di %(where)s.") % args)
        raise ParseError(_("%(level)s “%(name)s” tidak ditemukan.") % args)
    if level == 2 and kinds == {"kab", "kota"}:
        raise ParseError(
            _("“%(name)s” bisa kabupaten atau kota; tulis “Kab. %(name)s” atau “Kota %(name)s”.")
            % args
        )
    raise ParseError(
        _("%(level)s “%(name)s” ada di beberapa tempat; isi juga wilayah di atasnya.") % args
    )


def region_lookup(
    province: str = "", regency: str = "", district: str = "", village: str = ""
) -> tuple[str, tuple[str, ...]]:
    """The most specific Kemendagri code for the names or codes of each level, and warnings.

    A kecamatan or desa that cannot be found is a warning and the code stops at the level
    above: an address detail should not keep a member out. A province or kabupaten/kota
    that cannot be found, or a name that could mean two places, is an error."""
    code = ""
    for level, text in ((1, province), (2, regency), (3, district), (4, village)):
        text = text.strip()
        if not text or (code and code.count(".") + 1 >= level):
            continue  # empty, or already named by a code in an upper column
        try:
            code = _find(text, level, code)
        except ParseError as exc:
            if level <= 2:
                raise
            return code, (exc.message,)
    return code, ()


def _region_outcome(parts: tuple[str, str, str, str]) -> tuple[str, tuple[str, ...], str]:
    try:
        code, warnings = region_lookup(*("" if is_blank(p) else p for p in parts))
    except ParseError as exc:
        return "", (), exc.message
    return code, warnings, ""


@lru_cache(maxsize=4)
def region_parser(language: str | None) -> Memo:
    """(province, regency, district, village) as typed → (code, warnings, error), cached:
    the same few places fill a whole sheet, and so does one bad name. One cache per
    language, since it keeps messages."""
    return Memo(_region_outcome, size=16384)


def parse_region(
    province: str = "", regency: str = "", district: str = "", village: str = ""
) -> str:
    """The most specific Kemendagri code ("32.16.01") for the names or codes given, each of
    which must be found (see `region_lookup` for the lenient version the import uses)."""
    code, warnings = region_lookup(province, regency, district, village)
    if warnings:
        raise ParseError(warnings[0])
    return code


# --- money -----------------------------------------------------------------------------------

_AMOUNT_DOT_THOUSANDS = re.compile(r"(\d{1,3}(?:\.\d{3})+)(?:,(\d{1,2}))?")
_AMOUNT_COMMA_THOUSANDS = re.compile(r"(\d{1,3}(?:,\d{3})+)(?:\.(\d{1,2}))?")
_AMOUNT_PLAIN = re.compile(r"(\d+)(?:[.,](\d{1,2}))?")
_AMOUNT_SCALED = re.compile(r"(\d+)(?:[.,](\d{1,3}))?(rb|ribu|k|jt|juta)")
_SCALES = {"rb": 1000, "ribu": 1000, "k": 1000, "jt": 1_000_000, "juta": 1_000_000}
AMOUNT_MAX = 999_999_999_999


def parse_amount(s: str) -> int:
    """Whole rupiah from "Rp 50.000", "50,000", "50.000,00", "Rp50000" or "50rb"."""
    raw = s.strip()
    text = raw.lower().replace(" ", "").replace("\u00a0", "")
    text = text.removeprefix("rp").removeprefix(".").removesuffix(",-").removesuffix(".-")
    if text.startswith("-") or (text.startswith("(") and text.endswith(")")):
        raise ParseError(_("Jumlah “%(value)s” tidak boleh negatif.") % {"value": raw})
    amount: int | None = None
    if m := _AMOUNT_DOT_THOUSANDS.fullmatch(text) or _AMOUNT_COMMA_THOUSANDS.fullmatch(text):
        whole, cents = m.groups()
        if cents and int(cents):
            raise ParseError(_("Jumlah “%(value)s” harus rupiah bulat.") % {"value": raw})
        amount = int(whole.replace(".", "").replace(",", ""))
    elif m := _AMOUNT_PLAIN.fullmatch(text):
        whole, cents = m.groups()
        if cents and int(cents):
            raise ParseError(_("Jumlah “%(value)s” harus rupiah bulat.") % {"value": raw})
        amount = int(whole)
    elif m := _AMOUNT_SCALED.fullmatch(text):
        whole, fraction, unit = m.groups()
        scale = _SCALES[unit]
        fraction = fraction or ""
        amount = int(whole) * scale + (
            int(fraction) * scale // 10 ** len(fraction) if fraction else 0
        )
    if amount is None:
        raise ParseError(
            _("Jumlah “%(value)s” tidak dikenali; tulis seperti Rp 50.000.") % {"value": raw}
        )
    if amount <= 0:
        raise ParseError(_("Jumlah harus lebih dari 0."))
    if amount > AMOUNT_MAX:
        raise ParseError(_("Jumlah “%(value)s” terlalu besar.") % {"value": raw})
    return amount
