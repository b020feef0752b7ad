"""Contacts: workers the union is talking to, moved along the organisation's pipeline
(stages are data), rated 1–5, and converted into members without losing their history;
plus the reads built on them (the pipeline funnel of a unit, the wall chart of a workplace).

Every stage move and assessment is a `ContactChange`. A forward move also adds one to the
unit counter ``contacts.forward.<YYYY-MM>`` (the month of the move) of the contact's unit and
its ancestors, so "contacts moved forward" rolls up the tree without scanning contacts
(``organizing.results`` reads exactly that key)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from himpun.core.scoping import subtree_q
from himpun.core.services import audit_record, diff, object_update, snapshot
from himpun.members.choices import Status
from himpun.members.models import Member
from himpun.members.services import member_register
from himpun.organizing.choices import SEED_STAGES, Assessment
from himpun.organizing.models import Contact, ContactChange, Stage
from himpun.structure.models import OrgUnit, Workplace
from himpun.structure.services import unit_count_adjust

#: The counter key of contacts moved forward in a month (read by organizing.results).
FORWARD_KEY = "contacts.forward.{:%Y-%m}"


def forward_key(on: datetime.date) -> str:
    return FORWARD_KEY.format(on)


def _org_id(unit: OrgUnit) -> int:
    return unit.organisation_id or unit.pk


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# --- stages ------------------------------------------------------------------------------------


def stages_ensure(organisation: OrgUnit) -> None:
    """The seeded pipeline (informasi → kontak poin → pendidikan → anggota), for an
    organisation that has no stage yet."""
    org_id = _org_id(organisation)
    if Stage._base_manager.filter(organisation_id=org_id).exists():
        return
    Stage._base_manager.bulk_create(
        [
            Stage(organisation_id=org_id, code=code, name=name, order=(i + 1) * 10, is_member=m)
            for i, (code, name, m) in enumerate(SEED_STAGES)
        ],
        ignore_conflicts=True,  # two first visits at once seed only once
    )


def stages_ensure_for(organisation_ids: list[int]) -> None:
    """Seed the pipeline of every one of these organisations that has none (one query when
    all have theirs)."""
    have = set(
        Stage._base_manager.filter(organisation_id__in=organisation_ids)
        .order_by()
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    for org in OrgUnit._base_manager.filter(pk__in=set(organisation_ids) - have):
        stages_ensure(org)


def stages_of(organisation_id: int) -> list[Stage]:
    """The organisation's stages in pipeline order (archived ones left out)."""
    return list(
        Stage._base_manager.filter(
            organisation_id=organisation_id, archived_at__isnull=True
        ).order_by("order", "name", "pk")
    )


def first_stage(organisation: OrgUnit) -> Stage:
    stages_ensure(organisation)
    stage = next((s for s in stages_of(_org_id(organisation)) if not s.is_member), None)
    if stage is None:
        raise ValidationError({"stage": _("Organisasi ini belum punya tahap pengorganisasian.")})
    return stage


def member_stage(organisation_id: int) -> Stage | None:
    return next((s for s in stages_of(organisation_id) if s.is_member), None)


def _direction(old: Stage | None, new: Stage) -> int:
    if old is None or old.pk == new.pk:
        return 0
    before, after = (old.order, old.pk), (new.order, new.pk)
    if old.order == new.order:
        return 0
    return 1 if after > before else -1


def _check_stage(contact: Contact, stage: Stage, *, converting: bool = False) -> None:
    if stage.organisation_id != _org_id(contact.unit):
        raise ValidationError({"stage": _("Tahap ini milik organisasi lain.")})
    if stage.archived_at is not None:
        raise ValidationError({"stage": _("Tahap ini sudah diarsipkan.")})
    if stage.is_member and not converting:
        raise ValidationError(
            {"stage": _("Tahap keanggotaan dicapai lewat tombol “Jadikan anggota”.")}
        )


def _check_assessment(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number not in Assessment.values or str(value).strip() != str(number):
        raise ValidationError(
            {
                "assessment": _(
                    "Penilaian harus angka 1 sampai 5 (1 = pemimpin, 5 = memusuhi), bukan "
                    "“%(value)s”."
                )
                % {"value": value}
            }
        )
    return number


def _check_on(on: datetime.date | None) -> datetime.date:
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationError({"on": _("Tanggal tidak boleh di masa depan.")})
    return on


def _record(
    *,
    actor: Any,
    contact: Contact,
    on: datetime.date,
    stage: Stage | None = None,
    assessment: int | None = None,
    direction: int = 0,
    note: str = "",
) -> ContactChange:
    change = ContactChange.objects.create(
        contact=contact,
        on=on,
        stage=stage,
        assessment=assessment,
        direction=direction,
        note=note[:200],
        actor=_user(actor),
    )
    if direction > 0:
        unit = OrgUnit._base_manager.get(pk=contact.unit_id)  # the path after any move
        unit_count_adjust(unit=unit, key=forward_key(on), delta=1)
    return change


def _locked(contact: Contact) -> Contact:
    return (
        Contact._base_manager.select_for_update().select_related("unit", "stage").get(pk=contact.pk)
    )


def _save(contact: Contact, before: dict[str, Any], actor: Any, **values: Any) -> Contact:
    Contact._base_manager.filter(pk=contact.pk).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    contact.refresh_from_db()
    changes = diff(before, snapshot(contact))
    audit_record(actor=actor, action="update", instance=contact, changes=changes)
    return contact


# --- writes ------------------------------------------------------------------------------------


@transaction.atomic
def contact_create(*, actor: Any, contact: Contact, batch: Any = None) -> Contact:
    """Save a new contact (the organisation's first stage when none is given) and start its
    history with where it stands."""
    unit = OrgUnit._base_manager.get(pk=contact.unit_id)
    if unit.archived_at is not None:
        raise ValidationError({"unit": _("Unit ini sudah diarsipkan.")})
    contact.unit = unit
    if contact.stage_id is None:
        contact.stage = first_stage(unit)
    _check_stage(contact, contact.stage)
    contact.assessment = _check_assessment(contact.assessment)
    contact.member = None
    contact.converted_at = None
    contact.save()
    _record(
        actor=actor,
        contact=contact,
        on=timezone.localdate(),
        stage=contact.stage,
        assessment=contact.assessment,
        note=_("Kontak dicatat"),
    )
    audit_record(
        actor=actor, action="create", instance=contact, changes=snapshot(contact), batch=batch
    )
    return contact


@transaction.atomic
def contact_update(*, actor: Any, contact: Contact, expected_version: int) -> Contact:
    """Save an edited contact (optimistic locking); a new stage or assessment chosen in the
    form is recorded in the history like the buttons do (a forward move is counted)."""
    stored = _locked(contact)
    if stored.member_id and contact.stage_id != stored.stage_id:
        raise ValidationError({"stage": _("Kontak ini sudah menjadi anggota.")})
    contact.member_id = stored.member_id  # written only by contact_convert
    contact.converted_at = stored.converted_at
    new_stage = stored.stage
    if contact.stage_id != stored.stage_id:
        new_stage = Stage._base_manager.get(pk=contact.stage_id)
        _check_stage(stored, new_stage)
    assessment = _check_assessment(contact.assessment)
    contact.assessment = assessment
    saved = object_update(actor=actor, instance=contact, expected_version=expected_version)
    stage_moved = new_stage.pk != stored.stage_id
    if stage_moved or assessment != stored.assessment:
        _record(
            actor=actor,
            contact=saved,
            on=timezone.localdate(),
            stage=new_stage if stage_moved else None,
            assessment=assessment if assessment != stored.assessment else None,
            direction=_direction(stored.stage, new_stage) if stage_moved else 0,
            note=_("Diubah lewat formulir"),
        )
    return saved


@transaction.atomic
def contact_stage_change(
    *,
    actor: Any,
    contact: Contact,
    stage: Stage,
    on: datetime.date | None = None,
    note: str = "",
) -> Contact:
    """Move a contact to another stage. Backward moves are allowed and recorded (-1); a
    forward move (+1) is counted for the contact's unit and every unit above it."""
    on = _check_on(on)
    contact = _locked(contact)
    if contact.archived_at is not None:
        raise ValidationError(_("Kontak ini sudah diarsipkan."))
    if contact.member_id:
        raise ValidationError(_("Kontak ini sudah menjadi anggota."))
    if stage.pk == contact.stage_id:
        raise ValidationError({"stage": _("Kontak sudah berada di tahap ini.")})
    _check_stage(contact, stage)
    direction = _direction(contact.stage, stage)
    before = snapshot(contact)
    _record(actor=actor, contact=contact, on=on, stage=stage, direction=direction, note=note)
    return _save(contact, before, actor, stage=stage)


@transaction.atomic
def contact_assess(
    *,
    actor: Any,
    contact: Contact,
    assessment: Any,
    on: datetime.date | None = None,
    note: str = "",
) -> Contact:
    """Rate a contact 1 (leader) to 5 (hostile); anything else is refused, nothing written."""
    value = _check_assessment(assessment)
    if value is None:
        raise ValidationError({"assessment": _("Pilih penilaian 1 sampai 5.")})
    on = _check_on(on)
    contact = _locked(contact)
    if contact.archived_at is not None:
        raise ValidationError(_("Kontak ini sudah diarsipkan."))
    before = snapshot(contact)
    _record(actor=actor, contact=contact, on=on, assessment=value, note=note)
    return _save(contact, before, actor, assessment=value)


@transaction.atomic
def contact_convert(
    *,
    actor: Any,
    contact: Contact,
    gender: str,
    unit: OrgUnit | None = None,
    status: str = Status.ACTIVE,
    on: datetime.date | None = None,
    note: str = "",
) -> Member:
    """Register the contact as a member (of its own unit unless another is given) with what
    the union knows of them, link the two, and move the contact to the organisation's
    membership stage. The contact, its notes and its history stay."""
    on = _check_on(on)
    contact = _locked(contact)
    if contact.member_id or contact.converted_at:
        raise ValidationError(_("Kontak ini sudah dijadikan anggota."))
    if contact.archived_at is not None:
        raise ValidationError(_("Kontak ini sudah diarsipkan."))
    unit = unit or contact.unit
    if _org_id(unit) != _org_id(contact.unit):
        raise ValidationError({"unit": _("Unit ini milik organisasi lain.")})
    target = member_stage(_org_id(contact.unit))
    if target is None:
        raise ValidationError(
            _(
                "Organisasi ini belum punya tahap keanggotaan: tandai satu tahap sebagai "
                "“tahap keanggotaan” di Pengaturan → Tahap pengorganisasian."
            )
        )
    workplace = contact.workplace
    member = member_register(
        actor=actor,
        unit=unit,
        full_name=contact.full_name,
        status=status,
        on=on,
        reason=_("Dari kontak pengorganisasian"),
        gender=gender,
        phone=contact.phone,
        workplace=workplace,
        employer_id=workplace.employer_id if workplace else None,
        department=contact.department,
        shift=contact.shift,
        recruitment_channel=contact.channel,
        recruited_by=contact.known_by,
    )
    before = snapshot(contact)
    _record(
        actor=actor,
        contact=contact,
        on=on,
        stage=target,
        direction=_direction(contact.stage, target) if target.pk != contact.stage_id else 0,
        note=note or _("Menjadi anggota %(number)s") % {"number": member.number or "—"},
    )
    _save(contact, before, actor, member=member, converted_at=timezone.now(), stage=target)
    return member


# --- reads -------------------------------------------------------------------------------------


def contact_history(contact: Contact) -> list[ContactChange]:
    """The contact's history, newest first."""
    return list(
        ContactChange.objects.filter(contact=contact)
        .select_related("stage", "actor")
        .order_by("-on", "-id")
    )


@dataclass
class Funnel:
    """Open contacts (not archived, not yet members) per stage in a unit's subtree."""

    unit: OrgUnit
    rows: list[tuple[Stage, int]]
    converted: int

    @property
    def total(self) -> int:
        return sum(n for _s, n in self.rows)

    def table(self) -> tuple[list[str], list[tuple[Any, ...]]]:
        headers = [_("Tahap"), _("Jumlah kontak"), _("Persen")]
        total = self.total
        rows: list[tuple[Any, ...]] = [
            (s.name, n, round(n * 100 / total, 1) if total else 0) for s, n in self.rows
        ]
        rows.append((_("Jumlah"), total, 100 if total else 0))
        return headers, rows


def funnel(*, contacts: QuerySet, unit: OrgUnit) -> Funnel:
    """Counts per stage of `contacts` (already restricted) in `unit`'s subtree: one GROUP BY,
    plus one count of contacts that became members."""
    org_id = _org_id(unit)
    stages_ensure(unit)
    mine = contacts.filter(subtree_q("unit__path", unit.path), archived_at__isnull=True)
    counted = dict(
        mine.filter(member__isnull=True)
        .order_by()
        .values("stage_id")
        .annotate(n=Count("pk"))
        .values_list("stage_id", "n")
    )
    stages = Stage._base_manager.filter(
        Q(organisation_id=org_id, archived_at__isnull=True, is_member=False)
        | Q(pk__in=list(counted))
    ).order_by("order", "name", "pk")
    rows = [(s, counted.get(s.pk, 0)) for s in stages]
    converted = mine.filter(member__isnull=False).count()
    return Funnel(unit=unit, rows=rows, converted=converted)


# --- the wall chart ----------------------------------------------------------------------------

#: Names shown in one cell of the wall chart; the rest are a link to the filtered list.
NAMES_PER_CELL = 25
NOT_RATED = "belum"
MEMBERS = "anggota"


@dataclass
class WallCell:
    count: int = 0
    names: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class WallRow:
    label: str
    value: str  # the stored department/shift ("" for none): the list filter's value
    headcount: int | None = None
    cells: dict[Any, WallCell] = field(default_factory=dict)

    @property
    def contacts(self) -> int:
        return sum(c.count for k, c in self.cells.items() if k != MEMBERS)

    @property
    def members(self) -> int:
        return self.cells[MEMBERS].count

    @property
    def member_percent(self) -> float | None:
        if not self.headcount:
            return None
        return round(self.members * 100 / self.headcount, 1)


@dataclass
class WallChart:
    workplace: Workplace
    by: str  # "department" or "shift"
    columns: list[tuple[Any, str]]
    rows: list[WallRow]
    total: WallRow


def _key(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def wall_chart(
    *, workplace: Workplace, contacts: QuerySet, members: QuerySet, by: str = "department"
) -> WallChart:
    """Departments (or shifts) × assessment for one workplace, the chart organisers draw on
    paper: counts from GROUP BY queries, the names of at most NAMES_PER_CELL contacts per
    cell (a window function), members counted only. `contacts` and `members` are already
    restricted to what the user may see."""
    if by not in ("department", "shift"):
        by = "department"
    blank = _("(tanpa bagian)") if by == "department" else _("(tanpa shift)")
    columns: list[tuple[Any, str]] = [(a.value, a.label) for a in Assessment]
    columns += [(NOT_RATED, _("Belum dinilai")), (MEMBERS, _("Anggota"))]
    rows: dict[str, WallRow] = {}

    def row(value: str) -> WallRow:
        key = _key(value)
        if key not in rows:
            label = " ".join((value or "").split()) or blank
            rows[key] = WallRow(
                label=label, value=value, cells={c: WallCell() for c, _l in columns}
            )
        return rows[key]

    sections = (
        workplace.sections.order_by().values(by).annotate(n=Sum("headcount")).values_list(by, "n")
    )
    unsplit = 0  # sections counted per department only, when the rows are shifts
    for value, n in sections:
        if by == "shift" and not (value or "").strip():
            unsplit += n or 0
            continue
        r = row(value)
        r.headcount = (r.headcount or 0) + (n or 0)
    open_contacts = contacts.filter(
        workplace=workplace, archived_at__isnull=True, member__isnull=True
    )
    counts = (
        open_contacts.order_by()
        .values(by, "assessment")
        .annotate(n=Count("pk"))
        .values_list(by, "assessment", "n")
    )
    for value, assessment, n in counts:
        row(value).cells[assessment or NOT_RATED].count += n
    names = (
        open_contacts.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F(by), F("assessment")],
                order_by=[F("full_name").asc(), F("pk").asc()],
            )
        )
        .filter(rank__lte=NAMES_PER_CELL)
        .order_by("full_name", "pk")
        .values_list(by, "assessment", "pk", "full_name")
    )
    for value, assessment, pk, name in names:
        row(value).cells[assessment or NOT_RATED].names.append((pk, name))
    active = (
        members.filter(workplace=workplace, archived_at__isnull=True, status=Status.ACTIVE)
        .order_by()
        .values(by)
        .annotate(n=Count("pk"))
        .values_list(by, "n")
    )
    for value, n in active:
        row(value).cells[MEMBERS].count += n
    ordered = sorted(rows.values(), key=lambda r: (r.value.strip() == "", r.label.casefold()))
    total = WallRow(label=_("Jumlah"), value="", cells={c: WallCell() for c, _l in columns})
    for r in ordered:
        for c, cell in r.cells.items():
            total.cells[c].count += cell.count
        if r.headcount is not None:
            total.headcount = (total.headcount or 0) + r.headcount
    if unsplit:
        total.headcount = (total.headcount or 0) + unsplit
    if total.headcount is None and workplace.headcount:
        total.headcount = workplace.headcount  # no sections: the workplace's own headcount
    return WallChart(workplace=workplace, by=by, columns=columns, rows=ordered, total=total)
