"""Campaigns: saving one with its target workplaces and organisers, recording what was done
(visits, meetings, leaflets, posts), and reading how far it is against its goals.

Who counts for a campaign (`campaign_progress`):

- **New members**: members of the campaign unit's subtree who joined (``joined_on``) within
  the period, not archived, and not applicants or rejected. With target workplaces, only
  members at those workplaces count. Without them, a sector narrows to members whose unit or
  employer is in that sector, and a region to members whose workplace lies in it (members
  without a workplace: their unit's region).
- **New units**: units formed (``created_at``) in the subtree during the period, the campaign
  unit itself excluded, narrowed by the unit's own sector and region when those are set.
- **Density**: active members over the sum of headcounts at the target workplaces (or, without
  targets, at the subtree's workplaces in the sector or region, when set), workplaces without a
  headcount left out.

Goals are judged pro-rated by elapsed days (expected = goal × elapsed / total days).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from himpun.accounts.models import User
from himpun.core.scoping import ancestor_paths, subtree_q, subtrees_q
from himpun.core.services import audit_record, object_create, object_update, snapshot
from himpun.members.choices import Status
from himpun.members.models import Member
from himpun.organizing.choices import ActivityKind
from himpun.organizing.contacts import stages_ensure_for
from himpun.organizing.models import Campaign, CampaignActivity, Contact, Stage
from himpun.organizing.results import Progress, judge, status_label
from himpun.structure.models import OrgUnit, Workplace

HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")
#: Statuses that do not make someone a new member (not yet accepted, or refused).
NOT_JOINED = (Status.APPLICANT, Status.REJECTED)


# --- who may organise, where may it aim ------------------------------------------------------


def organisers_for(unit: OrgUnit) -> QuerySet[User]:
    """Users holding a role somewhere in `unit`'s subtree or at one of its ancestors."""
    return User.objects.filter(
        Q(assignments__unit__path__in=ancestor_paths(unit.path))
        | subtree_q("assignments__unit__path", unit.path),
        is_active=True,
    ).distinct()


def organisers_within(paths: list[str]) -> QuerySet[User]:
    """Users who could organise a campaign of any unit inside `paths` (a picker's choices)."""
    above = {p for path in paths for p in ancestor_paths(path)}
    return User.objects.filter(
        Q(assignments__unit__path__in=above) | subtrees_q("assignments__unit__path", paths),
        is_active=True,
    ).distinct()


def campaign_check(
    *, unit: OrgUnit, starts_on: datetime.date, ends_on: datetime.date, workplaces, organisers
) -> None:
    """Refuse a period that ends before it starts, a workplace outside the unit's subtree and
    an organiser without a role in or above the unit (all messages at once)."""
    errors: dict[str, list[str]] = {}
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("Tanggal selesai tidak boleh sebelum tanggal mulai.")]
    outside = [w for w in workplaces if not w.unit.path.startswith(unit.path)]
    if outside:
        errors["workplaces"] = [
            _("Tempat kerja berikut tidak berada di bawah %(unit)s: %(names)s.")
            % {"unit": unit.name, "names": ", ".join(w.name for w in outside)}
        ]
    chosen = {u.pk for u in organisers}
    if chosen:
        allowed = set(organisers_for(unit).filter(pk__in=chosen).values_list("pk", flat=True))
        refused = [u for u in organisers if u.pk not in allowed]
        if refused:
            errors["organisers"] = [
                _("%(names)s tidak memegang peran di %(unit)s, di bawahnya, atau di atasnya.")
                % {"names": ", ".join(_user_name(u) for u in refused), "unit": unit.name}
            ]
    if errors:
        raise ValidationError(errors)


def _user_name(user: User) -> str:
    return user.get_full_name() or user.username


# --- writes -----------------------------------------------------------------------------------


@transaction.atomic
def campaign_save(
    *,
    actor: Any,
    campaign: Campaign,
    workplaces: list[Workplace],
    organisers: list[User],
    expected_version: int | None = None,
) -> Campaign:
    """Create (no `expected_version`) or update a campaign with its target workplaces and
    organisers. A change of either list is audited as its own entry (names before and after)."""
    campaign_check(
        unit=campaign.unit,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        workplaces=workplaces,
        organisers=organisers,
    )
    if expected_version is None:
        campaign = object_create(actor=actor, instance=campaign)
        before_w: list[str] = []
        before_o: list[str] = []
    else:
        before_w = sorted(str(w) for w in campaign.workplaces.all())
        before_o = sorted(_user_name(u) for u in campaign.organisers.all())
        campaign = object_update(actor=actor, instance=campaign, expected_version=expected_version)
    campaign.workplaces.set(workplaces)
    campaign.organisers.set(organisers)
    after_w = sorted(str(w) for w in workplaces)
    after_o = sorted(_user_name(u) for u in organisers)
    changes = {}
    if before_w != after_w:
        changes["workplaces"] = [", ".join(before_w) or None, ", ".join(after_w) or None]
    if before_o != after_o:
        changes["organisers"] = [", ".join(before_o) or None, ", ".join(after_o) or None]
    if changes:
        audit_record(actor=actor, action="update", instance=campaign, changes=changes)
    return campaign


def campaign_activity_check(
    *, campaign: Campaign, on: datetime.date | None, kind: str | None, count: int | None
) -> None:
    """Refuse an activity dated outside the campaign's period, a count below one, an unknown
    kind, or any activity on an archived campaign (all messages at once)."""
    errors: dict[str, list[str]] = {}
    if on is not None and not campaign.starts_on <= on <= campaign.ends_on:
        errors["on"] = [
            _("Tanggal harus di dalam masa kampanye, %(start)s sampai %(end)s.")
            % {"start": f"{campaign.starts_on:%d/%m/%Y}", "end": f"{campaign.ends_on:%d/%m/%Y}"}
        ]
    if count is not None and count < 1:
        errors["count"] = [_("Jumlah paling sedikit 1.")]
    if kind is not None and kind not in ActivityKind.values:
        errors["kind"] = [_("Jenis kegiatan tidak dikenal.")]
    if campaign.archived_at is not None:
        errors["__all__"] = [_("Kampanye ini sudah diarsipkan.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_activity_record(
    *,
    actor: Any,
    campaign: Campaign,
    on: datetime.date,
    kind: str,
    count: int,
    note: str = "",
) -> CampaignActivity:
    """Record something done in a campaign: within its period, at least one, of a known kind."""
    if on is None or count is None or kind is None:
        raise ValidationError(_("Tanggal, kegiatan dan jumlah wajib diisi."))
    campaign_activity_check(campaign=campaign, on=on, kind=kind, count=count)
    activity = CampaignActivity(
        campaign=campaign,
        on=on,
        kind=kind,
        count=count,
        note=note.strip(),
        actor=actor if getattr(actor, "pk", None) else None,
    )
    activity.save()
    audit_record(actor=actor, action="create", instance=activity, changes=snapshot(activity))
    return activity


# --- progress ---------------------------------------------------------------------------------


@dataclass
class Goal:
    """One goal of a campaign against its result so far."""

    code: str
    label: str
    goal: Decimal | None
    result: Decimal | None
    expected: Decimal | None
    status: str
    percent_unit: bool = False

    @property
    def percent(self) -> Decimal | None:
        """How much of the goal is reached, in %."""
        if not self.goal or self.result is None:
            return None
        return (self.result * HUNDRED / self.goal).quantize(ONE_PLACE, ROUND_HALF_UP)

    @property
    def bar(self) -> int:
        """Width of the progress bar, 0–100."""
        return int(min(self.percent or 0, HUNDRED))

    @property
    def expected_bar(self) -> int:
        if not self.goal or self.expected is None:
            return 0
        return int(min(self.expected * HUNDRED / self.goal, HUNDRED))

    @property
    def on_track(self) -> bool | None:
        if self.status in (Progress.NO_TARGET, Progress.NOT_STARTED):
            return None
        return self.status in (Progress.REACHED, Progress.ON_TRACK)

    @property
    def status_label(self) -> str:
        return status_label(self.status)


@dataclass
class WorkplaceRow:
    workplace_id: int
    name: str
    headcount: int | None
    active: int = 0
    new: int = 0

    @property
    def density(self) -> Decimal | None:
        if not self.headcount:
            return None
        return (Decimal(self.active) * HUNDRED / self.headcount).quantize(ONE_PLACE, ROUND_HALF_UP)


@dataclass
class CampaignProgress:
    campaign: Campaign
    today: datetime.date
    elapsed_days: int
    total_days: int
    goals: list[Goal]
    workplaces: list[WorkplaceRow]
    #: (stage name, contacts, counts as membership), in pipeline order.
    stages: list[tuple[str, int, bool]]
    #: (kind code, label, times recorded, total count), every kind, in the choices' order.
    activities: list[tuple[str, str, int, int]]
    members_active: int = 0
    headcount: int = 0

    @property
    def contacts_total(self) -> int:
        return sum(n for _name, n, _m in self.stages)

    @property
    def activities_total(self) -> int:
        return sum(total for _c, _l, _n, total in self.activities)

    def goal(self, code: str) -> Goal:
        return next(g for g in self.goals if g.code == code)

    def table(self) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The progress as rows for an XLSX export (and the chart's table view)."""
        headers = [
            _("Bagian"),
            _("Ukuran"),
            _("Target"),
            _("Hasil"),
            _("Seharusnya hingga hari ini"),
            _("% tercapai"),
            _("Status"),
        ]
        rows: list[tuple[Any, ...]] = []
        for g in self.goals:
            rows.append(
                (
                    _("Target"),
                    g.label,
                    _num(g.goal),
                    _num(g.result),
                    _num(g.expected),
                    _num(g.percent),
                    g.status_label,
                )
            )
        for w in self.workplaces:
            rows.append(
                (
                    _("Tempat kerja"),
                    w.name,
                    w.headcount,
                    w.active,
                    None,
                    _num(w.density),
                    _("%(n)s anggota baru") % {"n": w.new},
                )
            )
        for name, n, _m in self.stages:
            rows.append((_("Kontak per tahap"), name, None, n, None, None, ""))
        for _code, label, times, total in self.activities:
            rows.append(
                (
                    _("Kegiatan"),
                    label,
                    None,
                    total,
                    None,
                    None,
                    ngettext("%(n)s kali", "%(n)s kali", times) % {"n": times},
                )
            )
        return headers, rows


def _num(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _region_q(field: str, code: str) -> Q:
    return Q(**{field: code}) | Q(**{f"{field}__startswith": f"{code}."})


def _member_scope(campaign: Campaign, target_ids: list[int]) -> Q:
    q = subtree_q("unit__path", campaign.unit.path) & Q(archived_at__isnull=True)
    if target_ids:
        return q & Q(workplace_id__in=target_ids)
    if campaign.sector_id:
        q &= Q(unit__sector_id=campaign.sector_id) | Q(employer__sector_id=campaign.sector_id)
    if campaign.region_code:
        q &= _region_q("workplace__region_code", campaign.region_code) | (
            Q(workplace__isnull=True) & _region_q("unit__region_code", campaign.region_code)
        )
    return q


def _density_workplaces(campaign: Campaign, target_ids: list[int]) -> QuerySet[Workplace]:
    qs = Workplace._base_manager.filter(headcount__gt=0)
    if target_ids:
        return qs.filter(pk__in=target_ids)
    qs = qs.filter(subtree_q("unit__path", campaign.unit.path), archived_at__isnull=True)
    if campaign.sector_id:
        qs = qs.filter(employer__sector_id=campaign.sector_id)
    if campaign.region_code:
        qs = qs.filter(_region_q("region_code", campaign.region_code))
    return qs


def campaign_progress(campaign: Campaign, today: datetime.date | None = None) -> CampaignProgress:
    """How far `campaign` is against its goals, with a handful of aggregate queries whatever
    the number of members (see the module docstring for who counts)."""
    today = today or timezone.localdate()
    start, end = campaign.starts_on, campaign.ends_on
    total_days = (end - start).days + 1
    elapsed = min(max((today - start).days + 1, 0), total_days)

    # 1. the target workplaces (few), with headcounts
    targets = list(
        campaign.workplaces.order_by("name").values_list(
            "pk", "name", "headcount", "employer__name"
        )
    )
    target_ids = [pk for pk, *_rest in targets]

    # 2. members: new in the period and active now, in one aggregate (per workplace if targeted)
    joined = Q(joined_on__range=(start, end)) & ~Q(status__in=NOT_JOINED)
    members = Member._base_manager.filter(_member_scope(campaign, target_ids))
    rows: list[WorkplaceRow] = []
    if target_ids:
        per_place = {
            r["workplace_id"]: r
            for r in members.values("workplace_id").annotate(
                new=Count("pk", filter=joined), active=Count("pk", filter=Q(status=Status.ACTIVE))
            )
        }
        for pk, name, headcount, employer in targets:
            r = per_place.get(pk, {})
            rows.append(
                WorkplaceRow(
                    pk,
                    f"{name} ({employer})" if employer else name,
                    headcount,
                    active=r.get("active", 0),
                    new=r.get("new", 0),
                )
            )
        new_members = sum(r.new for r in rows)
        heads = sum(r.headcount or 0 for r in rows)
        active = sum(r.active for r in rows if r.headcount)
    else:
        new_members = members.filter(joined).count()
        # 3. density without targets: headcount of the subtree's workplaces, active members there
        places = _density_workplaces(campaign, target_ids)
        heads = places.aggregate(s=Sum("headcount"))["s"] or 0
        active = (
            Member._base_manager.filter(
                subtree_q("unit__path", campaign.unit.path),
                archived_at__isnull=True,
                status=Status.ACTIVE,
                workplace__in=places,
            ).count()
            if heads
            else 0
        )

    # 4. units formed in the subtree during the period
    begin = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    finish = timezone.make_aware(datetime.datetime.combine(end, datetime.time.max))
    units = OrgUnit._base_manager.filter(
        subtree_q("path", campaign.unit.path), created_at__range=(begin, finish)
    ).exclude(pk=campaign.unit_id)
    if campaign.sector_id:
        units = units.filter(sector_id=campaign.sector_id)
    if campaign.region_code:
        units = units.filter(_region_q("region_code", campaign.region_code))
    new_units = units.count()

    # 5. contacts of the campaign by stage (every stage of the organisation, in order)
    org_id = campaign.unit.organisation_id or campaign.unit_id
    stages_ensure_for([org_id])  # an organisation's pipeline exists before its first contact
    counted = dict(
        Contact._base_manager.filter(campaign=campaign, archived_at__isnull=True)
        .values("stage_id")
        .annotate(n=Count("pk"))
        .values_list("stage_id", "n")
    )
    stage_rows = list(
        Stage._base_manager.filter(Q(organisation_id=org_id) | Q(pk__in=list(counted)))
        .filter(Q(archived_at__isnull=True) | Q(pk__in=list(counted)))
        .order_by("order", "name")
        .values_list("pk", "name", "is_member")
    )
    stages = [(name, counted.get(pk, 0), is_member) for pk, name, is_member in stage_rows]

    # 6. activities per kind
    done = {
        r["kind"]: (r["times"], r["total"] or 0)
        for r in CampaignActivity._base_manager.filter(campaign=campaign)
        .values("kind")
        .annotate(times=Count("pk"), total=Sum("count"))
    }
    activities = [
        (code, str(label), *done.get(code, (0, 0))) for code, label in ActivityKind.choices
    ]

    density = (
        (Decimal(active) * HUNDRED / heads).quantize(ONE_PLACE, ROUND_HALF_UP) if heads else None
    )
    goals = []
    for code, label, goal, result, pct in (
        ("members", _("Anggota baru"), campaign.goal_members, Decimal(new_members), False),
        ("units", _("Unit baru"), campaign.goal_units, Decimal(new_units), False),
        ("density", _("Kepadatan (%)"), campaign.goal_density, density, True),
    ):
        goal_d = Decimal(goal) if goal is not None else None
        status, expected, _forecast = judge(
            flow=True, target=goal_d, result=result, starts_on=start, ends_on=end, today=today
        )
        goals.append(Goal(code, label, goal_d, result, expected, status, percent_unit=pct))
    return CampaignProgress(
        campaign=campaign,
        today=today,
        elapsed_days=elapsed,
        total_days=total_days,
        goals=goals,
        workplaces=rows,
        stages=stages,
        activities=activities,
        members_active=active,
        headcount=heads,
    )
