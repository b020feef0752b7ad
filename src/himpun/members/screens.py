"""Screens for members, their status tab and the status-change action."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from himpun.core.querysets import may, permission_name
from himpun.core.registry import MenuLink, ModelScreens, Tab, registry
from himpun.core.scoping import ancestor_ids, minimal_paths, scope_paths
from himpun.members.choices import TransferState
from himpun.members.filtersets import MemberFilterSet, MembershipRuleFilterSet, TransferFilterSet
from himpun.members.forms import (
    MemberForm,
    MembershipRuleForm,
    TransferDecisionForm,
    TransferRequestForm,
)
from himpun.members.models import Member, MembershipRule, Transfer
from himpun.members.services import (
    MOVABLE,
    member_archive,
    member_delete,
    member_register,
    member_update,
)
from himpun.members.tables import MembershipRuleTable, MemberTable, TransferTable, unindexed
from himpun.members.validation import whatsapp_link
from himpun.structure.models import UnitCounter
from himpun.structure.services import MEMBERS

#: Up to this many members in what a user sees, a list reads them all and sorts them
#: (5–20 ms at 10,000; ~50 ms at 50,000); above it, walking the sort index is faster.
FILTER_FIRST_MAX = 200_000


def scope_is_small(request: HttpRequest) -> bool:
    """Whether the members the user sees (or their active unit holds) are few enough to
    read and sort (see `members_in_scope_are_few`). Cached per request."""
    cached = getattr(request, "_himpun_small_scope", None)
    if cached is None:
        cached = members_in_scope_are_few(request.user, getattr(request, "current_unit", None))
        request._himpun_small_scope = cached  # type: ignore[attr-defined]
    return cached


def members_in_scope_are_few(user: Any, unit: Any = None) -> bool:
    """Judged from the unit counters: one query, no scan."""
    if unit is not None:
        paths = [unit.path]
    elif user.is_superuser:
        return False
    else:
        paths = minimal_paths(scope_paths(user, permission_name(Member, "view")))
    if not paths:
        return False
    total = UnitCounter.objects.filter(
        unit_id__in=[ancestor_ids(p)[-1] for p in paths], key=MEMBERS
    ).aggregate(n=Sum("total"))["n"]
    return (total or 0) <= FILTER_FIRST_MAX


def member_list_order(qs: Any, *, few: bool) -> Any:
    """The list's default order: by name, the id breaking ties; for a small scope by an
    expression no index gives, so its rows are read and sorted rather than found by walking
    the whole organisation's name index (B3, B4 in docs/performance.md)."""
    return qs.order_by(unindexed("search_name") if few else "search_name", "pk")


@registry.register
class MemberScreens(ModelScreens):
    model = Member
    path = "anggota"
    filterset_class = MemberFilterSet
    table_class = MemberTable
    form_class = MemberForm
    # Members come in through the bulk import engine (members/importer.py).
    importer = "members"

    def queryset(self, request: HttpRequest, action: str = "view") -> Any:
        qs = super().queryset(request, action)
        if action == "view":
            qs = member_list_order(qs, few=scope_is_small(request))
        return qs

    def table_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"filter_first": scope_is_small(request)}

    export_fields = (
        "number",
        "full_name",
        "gender",
        "unit__code",
        "unit__name",
        "status",
        "phone",
        "employer__name",
        "department",
        "employment_status",
        "joined_on",
    )
    detail_fields = (
        "number",
        "full_name",
        "status",
        "unit",
        "gender",
        "birth_place",
        "birth_date",
        "nik",
        "phone",
        "email",
        "region_code",
        "address",
        "employer",
        "workplace",
        "department",
        "shift",
        "job_title",
        "employment_status",
        "joined_on",
        "recruitment_channel",
        "consent_method",
        "consent_at",
    )
    select_related = ("unit",)
    menu_group = "anggota"
    icon = "bi-person-vcard"

    def create(self, *, request: HttpRequest, form: Any, batch: Any = None) -> Member:
        data = {k: v for k, v in form.cleaned_data.items() if k in form._meta.fields}
        status = form.cleaned_data.get("status") or "aktif"
        return member_register(
            actor=request.user,
            unit=data.pop("unit"),
            full_name=data.pop("full_name"),
            status=status,
            batch=batch,
            **data,
        )

    def update(self, *, request: HttpRequest, form: Any, expected_version: int) -> Member:
        return member_update(
            actor=request.user, member=form.save(commit=False), expected_version=expected_version
        )

    def delete(self, *, request: HttpRequest, obj: Any, batch: Any = None) -> None:
        member_delete(actor=request.user, member=obj, batch=batch)

    def archive(
        self, *, request: HttpRequest, obj: Any, archive: bool = True, batch: Any = None
    ) -> Member:
        return member_archive(actor=request.user, member=obj, archive=archive, batch=batch)


@registry.register
class MembershipRuleScreens(ModelScreens):
    model = MembershipRule
    path = "anggota/aturan"
    filterset_class = MembershipRuleFilterSet
    table_class = MembershipRuleTable
    form_class = MembershipRuleForm
    export_fields = ("organisation__code", "number_format")
    detail_fields = ("organisation", "number_format")
    select_related = ("organisation",)
    menu_group = "pengaturan"
    icon = "bi-123"


def _status_context(request: HttpRequest, member: Member) -> dict[str, Any]:
    return {
        "changes": member.status_changes.select_related("actor"),
        "whatsapp": whatsapp_link(member.phone),
    }


registry.add_tab(
    Member,
    Tab(
        "status", _("Riwayat status"), "members/tabs/status.html", order=10, context=_status_context
    ),
)


@registry.register
class TransferScreens(ModelScreens):
    """Transfers are requested from a member's page and decided by the receiving unit; the
    list is the queue of both sides, never edited directly."""

    model = Transfer
    path = "anggota/mutasi"
    filterset_class = TransferFilterSet
    table_class = TransferTable
    form_class = TransferDecisionForm
    actions = ("view", "export")
    export_fields = (
        "member__number",
        "member__full_name",
        "from_unit__code",
        "to_unit__code",
        "reason",
        "state",
        "created_at",
        "decided_at",
        "decision_note",
    )
    detail_fields = (
        "member",
        "from_unit",
        "to_unit",
        "reason",
        "state",
        "requested_by",
        "created_at",
        "decided_by",
        "decided_at",
        "decision_note",
    )
    select_related = ("member", "from_unit", "to_unit")
    menu_group = "anggota"
    icon = "bi-arrow-left-right"


def _transfers_context(request: HttpRequest, member: Member) -> dict[str, Any]:
    transfers = list(member.transfers.select_related("from_unit", "to_unit", "requested_by"))
    is_open = any(t.state == TransferState.REQUESTED for t in transfers)
    can_request = (
        not is_open
        and member.status in MOVABLE
        and may(request.user, Member, "change", member.unit.path)
    )
    return {
        "transfers": transfers,
        "can_request": can_request,
        "form": TransferRequestForm(member=member) if can_request else None,
    }


def _decision_context(request: HttpRequest, transfer: Transfer) -> dict[str, Any]:
    is_open = transfer.state == TransferState.REQUESTED
    return {
        "can_decide": is_open and may(request.user, Transfer, "change", transfer.to_unit.path),
        "can_cancel": is_open and may(request.user, Transfer, "change", transfer.from_unit.path),
        "form": TransferDecisionForm(),
    }


registry.add_tab(
    Member,
    Tab(
        "mutasi",
        _("Mutasi"),
        "members/tabs/transfers.html",
        order=30,
        context=_transfers_context,
    ),
)
registry.add_tab(
    Transfer,
    Tab(
        "putusan",
        _("Persetujuan"),
        "members/tabs/transfer_decision.html",
        order=5,
        context=_decision_context,
    ),
)

registry.add_link(
    "anggota",
    MenuLink(_("Calon anggota"), "members:applicants", "bi-person-plus", Member, "change", 40),
)
registry.add_link(
    "anggota",
    MenuLink(_("Kemungkinan duplikat"), "members:duplicates", "bi-people", Member, order=50),
)
