"""`himpun demo`: load the demo organisation (idempotent) and print the logins."""

import os
import secrets

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himpun.core.commands import HimpunCommand
from himpun.demo.dues import demo_dues
from himpun.demo.organizing import demo_organizing
from himpun.demo.services import demo_load, demo_members, demo_workflows


class Command(HimpunCommand):
    help = gettext_lazy(
        "Muat organisasi demo dari dokumen benih (menjalankannya lagi tidak mengubah apa pun)."
    )

    def handle(self, *args, **options):
        password = os.environ.get("HIMPUN_DEMO_PASSWORD", "")
        reset = bool(password)
        stored = settings.DATA_DIR / "demo_password"
        if not password:
            if not stored.exists():
                fd = os.open(stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_urlsafe(9))
            password = stored.read_text().strip()
        result = demo_load(password=password, reset_passwords=reset)
        members = demo_members()
        members += demo_workflows()
        payments = demo_dues()
        organising = demo_organizing()
        self.stdout.write(
            _(
                "Demo: %(objects)s objek baru, %(members)s anggota baru, %(payments)s "
                "pembayaran iuran, %(organising)s data pengorganisasian."
            )
            % {
                "objects": result.created,
                "members": members,
                "payments": payments,
                "organising": organising,
            }
        )
        self.stdout.write(_("Login demo (kata sandi sama untuk semua pengguna demo):"))
        for username, what in result.logins:
            self.stdout.write(f"  {username:<12} {what}")
        self.stdout.write("  " + _("kata sandi: %(password)s") % {"password": password})
