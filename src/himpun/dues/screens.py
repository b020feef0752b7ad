"""The member's "Iuran" tab and the "Iuran & kas" menu link."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himpun.core.querysets import may
from himpun.core.registry import MenuLink, Tab, registry
from himpun.dues import services
from himpun.dues.models import Entry, MemberDues, Payment
from himpun.dues.months import month_add
from himpun.dues.receipts import bulan, months_covered
from himpun.members.models import Member

#: Payments shown on the tab (the newest); older ones are in the unit's cash book.
HISTORY = 36


def _dues_visible(request: HttpRequest, member: Member) -> bool:
    return may(request.user, Payment, "view", member.unit.path)


def _dues_context(request: HttpRequest, member: Member) -> dict[str, Any]:
    today = timezone.localdate()
    account = MemberDues.objects.filter(member=member).first()
    payments = list(
        Payment.objects.filter(member=member)
        .select_related("reversed_by", "unit")
        .order_by("-on", "-id")[:HISTORY]
    )
    rows = [
        {
            "p": p,
            "months": months_covered(p.period, p.months),
            "reversed": getattr(p, "reversed_by", None) is not None,
        }
        for p in payments
    ]
    paid_until = None
    if account and account.unpaid_from and account.months_paid > 0:
        paid_until = bulan(month_add(account.unpaid_from, -1))
    return {
        "dues_account": account,
        "monthly": services.monthly_dues(member, today),
        "paid_until": paid_until,
        "payment_rows": rows,
        "can_pay": may(request.user, Payment, "add", member.unit.path)
        and member.archived_at is None,
    }


registry.add_tab(
    Member,
    Tab(
        "iuran",
        _("Iuran"),
        "dues/tabs/member.html",
        order=20,
        context=_dues_context,
        visible=_dues_visible,
    ),
)

registry.add_link(
    "iuran",
    MenuLink(_("Iuran & kas"), "dues:index", "bi-cash-stack", Entry, "view", order=10),
)
