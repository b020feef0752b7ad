"""`himpun demo`: load the demo organisation (idempotent) and print the logins."""

import os
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand

from himpun.demo.dues import demo_dues
from himpun.demo.organizing import demo_organizing
from himpun.demo.services import demo_load, demo_members, demo_workflows


class Command(BaseCommand):
    help = "Load the demo organisation from the seed documents (running it again changes nothing)."

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
            f"Demo: {result.created} objek baru, {members} anggota baru, "
            f"{payments} pembayaran iuran, {organising} data pengorganisasian."
        )
        self.stdout.write("Login demo (kata sandi sama untuk semua pengguna demo):")
        for username, what in result.logins:
            self.stdout.write(f"  {username:<12} {what}")
        self.stdout.write(f"  kata sandi: {password}")
