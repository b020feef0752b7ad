"""`himpun arrears [--organisation CODE] [--on YYYY-MM-DD]`: apply the organisation's
nonaktif rule to the months every member owes (and open the dues accounts of members who have
none). Months owed are not stored but follow from how far each account is paid, so lists of
arrears are current without this run; it moves statuses. Run it once a day or a month (cron or a
systemd timer; docs/deployment.md); payments and check-off imports update their own members
at once."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from himpun.dues.services import arrears_recompute
from himpun.structure.models import OrgUnit


class Command(BaseCommand):
    help = "Hitung ulang tunggakan iuran dan status nonaktif otomatis."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="kode organisasi (bawaan: semua)")
        parser.add_argument("--on", help="tanggal hitung, YYYY-MM-DD (bawaan: hari ini)")

    def handle(self, *args, **options):
        on = timezone.localdate()
        if options["on"]:
            try:
                on = datetime.date.fromisoformat(options["on"])
            except ValueError as exc:
                raise CommandError(f"Tanggal tidak valid: {options['on']}") from exc
        orgs = OrgUnit.objects.filter(parent__isnull=True, archived_at__isnull=True)
        if options["organisation"]:
            orgs = orgs.filter(code=options["organisation"])
            if not orgs.exists():
                raise CommandError(f"Organisasi {options['organisation']} tidak ditemukan.")
        for org in orgs.order_by("code"):
            started = time.perf_counter()
            counts = arrears_recompute(actor=None, organisation=org, on=on)
            self.stdout.write(
                f"{org.code}: {counts['accounts']} rekening iuran dibuka, "
                f"{counts['inactivated']} dinonaktifkan, {counts['reactivated']} diaktifkan "
                f"kembali ({time.perf_counter() - started:.1f} dtk)"
            )
