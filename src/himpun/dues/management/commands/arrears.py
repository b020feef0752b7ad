"""`himpun arrears [--organisation CODE] [--on YYYY-MM-DD]`: recompute months owed for every
member and apply the organisation's nonaktif rule. Run it once a day or a month (cron or a
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
                f"{org.code}: {counts['owing']} anggota menunggak, "
                f"{counts['inactivated']} dinonaktifkan, {counts['reactivated']} diaktifkan "
                f"kembali ({time.perf_counter() - started:.1f} dtk)"
            )
