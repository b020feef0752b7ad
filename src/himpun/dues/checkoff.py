"""The treasurer's queue of check-off rows the import could not post (see dues.importer):
post a line for the member it belongs to, or set it aside with a reason."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from himpun.core.services import audit_record
from himpun.dues.choices import LineState, Method
from himpun.dues.models import CheckoffBatch, CheckoffLine, Payment
from himpun.dues.services import PostingRefused, payment_post, require
from himpun.members.models import Member


@transaction.atomic
def checkoff_line_resolve(
    *,
    actor: Any,
    line: CheckoffLine,
    member: Member | None = None,
    reason: str = "",
) -> CheckoffLine:
    """Resolve an open line: with `member`, post its amount as that member's check-off
    payment for the batch's month (`payment_post`, method potong_upah); without, ignore it,
    giving `reason` (kept in the audit log). Either way the line is closed and the batch's
    count of open lines goes down."""
    line = CheckoffLine.objects.select_for_update().select_related("batch__unit").get(pk=line.pk)
    batch = line.batch
    require(actor, Payment, "add", batch.unit)
    if line.state != LineState.OPEN:
        raise PostingRefused(_("Baris ini sudah diselesaikan."))
    now = timezone.now()
    if member is not None:
        already = (
            Payment._base_manager.filter(
                member=member, method=Method.CHECKOFF, period=batch.month
            ).aggregate(n=Sum("months"))["n"]
            or 0
        )
        if already > 0:
            raise PostingRefused(
                _("Anggota ini sudah tercatat membayar potong upah bulan %(month)s.")
                % {"month": f"{batch.month:%m-%Y}"}
            )
        payment_post(
            actor=actor,
            member=member,
            amount=line.amount,
            method=Method.CHECKOFF,
            months=1,
            period=batch.month,
            reference=_("Potong upah baris %(row)s") % {"row": line.row},
            key=f"potong-upah-baris:{line.pk}",
        )
        line.member = member
        line.state = LineState.POSTED
        CheckoffBatch.objects.filter(pk=batch.pk).update(
            posted=F("posted") + 1,
            posted_total=F("posted_total") + line.amount,
            queued=F("queued") - 1,
        )
    else:
        if not reason.strip():
            raise PostingRefused(_("Tulis alasan baris ini diabaikan."))
        line.state = LineState.IGNORED
        CheckoffBatch.objects.filter(pk=batch.pk).update(queued=F("queued") - 1)
    line.resolved_by = actor
    line.resolved_at = now
    line.save(update_fields=["member", "state", "resolved_by", "resolved_at"])
    audit_record(
        actor=actor,
        action="update",
        instance=line,
        changes={
            "state": [LineState.OPEN, line.state],
            "member": line.member_id,
            **({"reason": reason.strip()[:200]} if reason.strip() else {}),
        },
    )
    return line
