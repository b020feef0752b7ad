"""Where a workplace stands for its collective agreement (PKB) under UU 13/2003.

The rules are pure functions of three numbers and two dates, so they are tested at the exact
thresholds; the member counts that feed them come from one GROUP BY per page (at the end).

- Art 119: a sole union with MORE than 50% of the workers as members negotiates the PKB;
  with 50% or fewer it needs the support of more than 50% of the workers in a vote.
- Art 120 (as read by the Constitutional Court, MK 115/PUU-VII/2009): with several unions,
  up to three unions (or coalitions) with AT LEAST 10% of the workers each form a negotiating
  team, seats in proportion to members; a union with more than 50% leads it.
- Art 123: a PKB runs at most 2 years and may be extended once by at most 1 year; talks on
  the next one may start 3 months before it ends, hence the 90-day alert.

Integer arithmetic decides (``members * 2 > headcount``, ``members * 10 >= headcount``): exactly
10% qualifies for the team, exactly 50% is not a majority.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _

#: Days before the end of a PKB from which it is "segera berakhir" (Art 123(3): three months).
ALERT_DAYS = 90
#: A PKB's longest life: 2 years plus one extension of 1 year (Art 123(1)–(2)).
PKB_YEARS = 2
PKB_MAX_YEARS = 3

UNKNOWN = "belum-diisi"
MAJORITY = "mayoritas"
VOTE = "perlu-pemungutan-suara"
TEAM = "tim-perunding"
BELOW = "di-bawah-10"

#: Bootstrap colour of each status's badge and chart bar.
TONES = {
    MAJORITY: "success",
    TEAM: "primary",
    VOTE: "warning",
    BELOW: "danger",
    UNKNOWN: "secondary",
}


@dataclass(frozen=True)
class BargainingStatus:
    """A workplace's standing for the PKB: density and what it allows, in words."""

    code: str
    label: str
    explanation: str
    #: Members per 100 workers, rounded DOWN to one decimal, so a shown "10,0" is really 10%
    #: or more; None while the headcount is unknown.
    density: Decimal | None
    members: int
    headcount: int | None
    sole: bool
    #: Members still needed for more than 50% (0 when reached; None when headcount unknown).
    short_of_majority: int | None = None
    #: Members still needed for 10% (several unions only).
    short_of_team: int | None = None
    #: Not an error: the data look wrong (more members than workers).
    warning: str = ""

    @property
    def tone(self) -> str:
        return TONES[self.code]


def density_of(members: int, headcount: int | None) -> Decimal | None:
    if not headcount:
        return None
    return (Decimal(members) * 100 / Decimal(headcount)).quantize(
        Decimal("0.1"), rounding=ROUND_DOWN
    )


def bargaining_status(
    *, members: int, headcount: int | None, unions_present: int
) -> BargainingStatus:
    """Status of our union at a workplace with `headcount` workers, `members` of them ours
    (active), and `unions_present` unions in all (ours included)."""
    sole = unions_present <= 1
    if not headcount:
        return BargainingStatus(
            code=UNKNOWN,
            label=_("Jumlah pekerja belum diisi"),
            explanation=_(
                "Isi jumlah pekerja di tempat kerja ini untuk menghitung kepadatan dan "
                "kedudukan serikat dalam perundingan PKB."
            ),
            density=None,
            members=members,
            headcount=headcount,
            sole=sole,
        )
    warning = ""
    if members > headcount:
        warning = _(
            "Jumlah anggota aktif (%(members)s) lebih besar dari jumlah pekerja "
            "(%(headcount)s). Periksa jumlah pekerja atau tempat kerja para anggota."
        ) % {"members": members, "headcount": headcount}
    majority = members * 2 > headcount
    team = members * 10 >= headcount
    short_of_majority = max(0, headcount // 2 + 1 - members)
    short_of_team = max(0, -(-headcount // 10) - members)  # ceil(headcount / 10)
    common = {
        "density": density_of(members, headcount),
        "members": members,
        "headcount": headcount,
        "sole": sole,
        "short_of_majority": short_of_majority,
        "warning": warning,
    }
    if sole:
        if majority:
            return BargainingStatus(
                code=MAJORITY,
                label=_("Mayoritas: berunding sendiri"),
                explanation=_(
                    "Satu-satunya serikat di tempat kerja ini dan anggotanya lebih dari 50% "
                    "pekerja: serikat berhak merundingkan PKB dengan pengusaha "
                    "(UU 13/2003 Pasal 119 ayat 1)."
                ),
                **common,
            )
        return BargainingStatus(
            code=VOTE,
            label=_("Perlu dukungan lewat pemungutan suara"),
            explanation=_(
                "Satu-satunya serikat, tetapi anggotanya belum lebih dari 50% pekerja: serikat "
                "dapat merundingkan PKB bila didukung lebih dari 50% seluruh pekerja melalui "
                "pemungutan suara (UU 13/2003 Pasal 119 ayat 2)."
            ),
            **common,
        )
    common["short_of_team"] = short_of_team
    if majority:
        return BargainingStatus(
            code=MAJORITY,
            label=_("Mayoritas tim perunding (> 50%)"),
            explanation=_(
                "Ada %(n)s serikat di tempat kerja ini dan anggota kita lebih dari 50%% pekerja: "
                "serikat kita ikut tim perunding PKB dan, karena kursi tim sebanding dengan "
                "jumlah anggota, memegang mayoritasnya (UU 13/2003 Pasal 120, Putusan MK "
                "115/PUU-VII/2009). Berunding sendiri hanya bila serikat kita satu-satunya "
                "(Pasal 119)."
            )
            % {"n": unions_present},
            **common,
        )
    if team:
        return BargainingStatus(
            code=TEAM,
            label=_("Ikut tim perunding (≥ 10%)"),
            explanation=_(
                "Ada %(n)s serikat di tempat kerja ini; anggota kita paling sedikit 10%% pekerja: "
                "serikat kita berhak ikut tim perunding PKB bersama paling banyak 3 serikat, "
                "kursinya sebanding dengan jumlah anggota (UU 13/2003 Pasal 120, "
                "Putusan MK 115/PUU-VII/2009)."
            )
            % {"n": unions_present},
            **common,
        )
    return BargainingStatus(
        code=BELOW,
        label=_("Belum mencapai 10%"),
        explanation=_(
            "Ada %(n)s serikat di tempat kerja ini dan anggota kita kurang dari 10%% pekerja: "
            "serikat kita belum berhak ikut tim perunding PKB (UU 13/2003 Pasal 120, "
            "Putusan MK 115/PUU-VII/2009)."
        )
        % {"n": unions_present},
        **common,
    )


# -- PKB dates ---------------------------------------------------------------------------------

NONE = "tidak-ada"
IN_FORCE = "berlaku"
ENDING = "segera-berakhir"
ENDED = "berakhir"

PKB_TONES = {NONE: "secondary", IN_FORCE: "success", ENDING: "warning", ENDED: "danger"}


@dataclass(frozen=True)
class PkbState:
    """Whether a workplace's PKB is in force, about to end (≤ 90 days) or over."""

    code: str
    label: str
    expires_on: datetime.date | None = None
    #: Days from today to the last day of the PKB (negative once it has ended).
    days_left: int | None = None

    @property
    def tone(self) -> str:
        return PKB_TONES[self.code]

    @property
    def alert(self) -> bool:
        return self.code in (ENDING, ENDED)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def pkb_default_expiry(signed_on: datetime.date) -> datetime.date:
    """A PKB without an end date runs its legal 2 years (Art 123(1))."""
    return add_years(signed_on, PKB_YEARS)


def pkb_state(
    signed_on: datetime.date | None, expires_on: datetime.date | None, today: datetime.date
) -> PkbState:
    """`expires_on` is the PKB's last day; a PKB with only a signing date runs 2 years."""
    if expires_on is None and signed_on is not None:
        expires_on = pkb_default_expiry(signed_on)
    if expires_on is None:
        return PkbState(NONE, _("Belum ada PKB"))
    days = (expires_on - today).days
    if days < 0:
        return PkbState(ENDED, _("PKB sudah berakhir"), expires_on, days)
    if days <= ALERT_DAYS:
        return PkbState(ENDING, _("PKB segera berakhir"), expires_on, days)
    return PkbState(IN_FORCE, _("PKB berlaku"), expires_on, days)


def pkb_dates_check(*, signed_on: datetime.date | None, expires_on: datetime.date | None) -> None:
    """Refuse dates no PKB can have: an end before the signing, or more than 2 + 1 years."""
    if signed_on is None or expires_on is None:
        return
    if expires_on <= signed_on:
        raise ValidationError(
            {"pkb_expires_on": _("Tanggal berakhir PKB harus sesudah tanggal penandatanganan.")}
        )
    longest = add_years(signed_on, PKB_MAX_YEARS)
    if expires_on > longest:
        raise ValidationError(
            {
                "pkb_expires_on": _(
                    "PKB berlaku paling lama 2 tahun dan dapat diperpanjang paling lama 1 tahun "
                    "(UU 13/2003 Pasal 123), jadi paling lambat berakhir %(day)s."
                )
                % {"day": longest.strftime("%d/%m/%Y")}
            }
        )


# -- the counts that feed the rules -------------------------------------------------------------


def active_members_by_workplace(workplace_ids: Iterable[int]) -> dict[int, int]:
    """Active members at each workplace, in one GROUP BY (absent ids have none).

    Counts every active member whose workplace it is, whatever unit holds their record: the
    density is the workplace's, not one unit's. Only numbers leave this function.
    """
    from himpun.members.choices import Status
    from himpun.members.models import Member

    ids = list(workplace_ids)
    if not ids:
        return {}
    rows = (
        Member.objects.filter(workplace_id__in=ids, status=Status.ACTIVE, archived_at__isnull=True)
        .values("workplace_id")
        .annotate(n=Count("id"))
        .values_list("workplace_id", "n")
        .order_by()
    )
    return dict(rows)


@dataclass(frozen=True)
class SectionCount:
    """A department/shift of a workplace with its headcount and active members."""

    section: object  # a WorkplaceSection, or None for members matching no section
    headcount: int | None
    members: int

    @property
    def density(self) -> Decimal | None:
        return density_of(self.members, self.headcount)


def _norm(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def members_by_section(workplace_id: int, sections: list) -> list[SectionCount]:
    """Active members of each section, matched on the members' department and shift (case and
    spacing ignored); a section without a shift takes the department's every shift. A member
    counts once, in the most specific section that fits; the rest end in a last row with
    `section=None`. One GROUP BY over the workplace's members."""
    from himpun.members.choices import Status
    from himpun.members.models import Member

    groups = (
        Member.objects.filter(
            workplace_id=workplace_id, status=Status.ACTIVE, archived_at__isnull=True
        )
        .values("department", "shift")
        .annotate(n=Count("id"))
        .values_list("department", "shift", "n")
        .order_by()
    )
    ordered = sorted(sections, key=lambda s: not (s.department and s.shift))
    counts = {s.pk: 0 for s in sections}
    rest = 0
    for department, shift, n in groups:
        for s in ordered:
            if (not s.department or _norm(s.department) == _norm(department)) and (
                not s.shift or _norm(s.shift) == _norm(shift)
            ):
                counts[s.pk] += n
                break
        else:
            rest += n
    rows = [SectionCount(s, s.headcount, counts[s.pk]) for s in sections]
    if rest:
        rows.append(SectionCount(None, None, rest))
    return rows
