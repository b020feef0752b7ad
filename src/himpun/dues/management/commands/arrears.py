"""`himpun arrears [--organisation CODE] [--on YYYY-MM-DD]`: apply the organisation's
nonaktif rule to the months every member owes (and open the dues accounts of members who have
none). Months owed are not stored but follow from how far each account is paid, so lists of
arrears are current without this run; it moves statuses. Run it once a day or a month (cron or a
systemd timer; docs/deployment.md); payments and check-off imports update their own members
at once."""

import datetime
import time

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himpun.core.commands import HimpunCommand
from himpun.dues.services import arrears_recompute
from himpun.structure.models import OrgUnit


class Command(HimpunCommand):
    help = gettext_lazy("Hitung ulang tunggakan iuran dan status nonaktif otomatis.")

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help=gettext_lazy("kode organisasi (bawaan: semua)"))
        parser.add_argument(
            "--on", help=gettext_lazy("tanggal hitung, YYYY-MM-DD (bawaan: hari ini)")
        )

    def handle(self, *args, **options):
        on = timezone.localdate()
        if options["on"]:
            try:
                on = datetime.date.fromisoformat(options["on"])
            except ValueError as exc:
                raise CommandError(
                    _("Tanggal tidak valid: %(day)s") % {"day": options["on"]}
                ) from exc
        orgs = OrgUnit.objects.filter(parent__isnull=True, archived_at__isnull=True)
        if options["organisation"]:
            orgs = orgs.filter(code=options["organisation"])
            if not orgs.exists():
                raise CommandError(
                    _("Organisasi %(code)s tidak ditemukan.") % {"code": options["organisation"]}
                )
        for org in orgs.order_by("code"):
            started = time.perf_counter()
            counts = arrears_recompute(actor=None, organisation=org, on=on)
            self.stdout.write(
                _(
                    "%(code)s: %(accounts)s rekening iuran dibuka, %(inactivated)s "
                    "dinonaktifkan, %(reactivated)s diaktifkan kembali (%(s).1f detik)"
                )
                % {**counts, "code": org.code, "s": time.perf_counter() - started}
            )
