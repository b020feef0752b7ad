"""B1 through the browser: the issue's "done when" — a 40,000-row messy XLSX imported through
the pages, with the live progress bar and the error report, as a federation secretary does it.

In one run, on the database in HIMPUN_DATABASE_URL (created if missing; SQLite otherwise):
1. builds the synthetic confederation (size S) and writes the messy member file as XLSX;
2. starts Himpun as `make run` does — gunicorn and the task worker — on a free port;
3. drives headless Chromium (/usr/bin/chromium) through upload → guessed mapping → dry run →
   import, timing each step as the user waits for it, and records every value the progress
   bar showed (from the responses it polls);
4. downloads the error report and opens it with python-calamine: its rows must be the
   failed and warned rows, each with its row number and reason;
5. waits for the duplicate check after the import, and takes screenshots on a phone's width.
Prints a table and writes JSON to bench/results/.

    scripts/with-postgres.sh .venv/bin/python bench/b1_browser.py --rows 40000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himpun.settings")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from b3_search import database_ensure  # noqa: E402

PHONE = {"width": 360, "height": 740}
WAIT_MS = 30 * 60 * 1000  # a slow machine's 40k rows: the figures say how long it took


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_server(url: str, proc: subprocess.Popen) -> None:
    """Until the server answers (it starts in a second or two); fails if it died."""
    import urllib.error
    import urllib.request

    while True:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped ({proc.returncode})")
        try:
            urllib.request.urlopen(url, timeout=30)  # noqa: S310  our own server
            return
        except (urllib.error.URLError, OSError):  # refused while it binds
            time.sleep(0.2)  # a bench waiting for its own server, not a test


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    database_ensure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from python_calamine import CalamineWorkbook

    from himpun.accounts.models import User
    from himpun.demo.messy import messy_file
    from himpun.demo.synthetic import generate
    from himpun.imports.models import ImportIssue, ImportJob

    call_command("migrate", verbosity=0)
    code = f"BB{args.seed}"
    data = generate(size="S", seed=args.seed, code=code)
    tmp = Path(tempfile.mkdtemp(prefix="himpun-b1b-"))
    path = tmp / "anggota-federasi.xlsx"
    made = messy_file(
        path, rows=args.rows, seed=args.seed, organisation=data.organisation, fmt="xlsx"
    )
    password = secrets.token_urlsafe(12)
    username = f"sekretaris-{args.seed}"
    User.objects.filter(username=username).delete()
    User.objects.create_superuser(username, password=password)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HIMPUN_STATIC_MANIFEST": "1"}
    call_command("collectstatic", interactive=False, verbosity=0)
    himpun = [sys.executable, "-m", "himpun"]
    worker = subprocess.Popen(  # noqa: S603  our own command line
        [*himpun, "db_worker", "--no-reload", "--no-startup-delay", "-v0"], env=env
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603  our own command line
        [
            str(gunicorn),
            "himpun.wsgi:application",
            *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"),
            *("--log-level", "warning"),
        ],
        env=env,
    )
    result: dict = {
        "benchmark": "B1-browser",
        "database": connection.vendor,
        "rows": args.rows,
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "file": {k: v for k, v in made.items() if isinstance(v, int)},
    }
    try:
        wait_for_server(base + "/akun/masuk/", server)
        result.update(drive(base, username, password, code, path, tmp))
    finally:
        server.terminate()
        worker.terminate()
        server.wait()
        worker.wait()

    job = ImportJob.objects.order_by("-pk").first()
    result["job"] = {
        k: getattr(job, k) for k in ("created", "updated", "unchanged", "failed", "warned")
    }
    result["job"]["duplicates"] = job.duplicates
    book = CalamineWorkbook.from_path(str(tmp / "report.xlsx"))
    sheet = book.get_sheet_by_index(0).to_python()
    numbers = [int(r[0]) for r in sheet[1:]]
    issues = ImportIssue.objects.filter(job=job, dry_run=False)
    result["report"] = {
        "rows": len(sheet) - 1,
        "header": sheet[0][:3],
        "every_row_has_a_reason": all(r[2] for r in sheet[1:]),
        "matches_the_job": numbers
        == list(issues.order_by("row", "id").values_list("row", flat=True)),
    }
    # the report lists every failed row (and the warnings kept) by number, each with a reason;
    # the bar moved while the import ran (not only 0 and 100)
    ok = (
        result["report"]["matches_the_job"]
        and result["report"]["every_row_has_a_reason"]
        and issues.filter(level="error").count() == job.failed
        and any(0 < p < 100 for p in result["progress_seen"])
    )
    result["ok"] = bool(ok)

    print(
        f"B1 through the browser · {connection.vendor} · {args.rows:,} rows XLSX "
        f"({result['file_mb']} MB)"
    )
    for step in ("upload_s", "dry_run_s", "import_s", "duplicate_check_s"):
        print(f"  {step:<20}{result[step]:>8}")
    print(f"  progress bar showed  {', '.join(map(str, result['progress_seen']))} %")
    print(f"  result               {result['job']}")
    print(f"  error report         {result['report']}")
    print("  OK" if ok else "  NOT OK")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"b1browser-{args.rows}-{connection.vendor}-{stamp}.json").write_text(
        json.dumps(result, indent=2, default=str)
    )
    if not ok:
        raise SystemExit(1)


def drive(base: str, username: str, password: str, unit: str, path: Path, tmp: Path) -> dict:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    seen: list[int] = []

    def on_response(response) -> None:
        if "/kemajuan/" in response.url and response.ok:
            try:
                body = response.text()
            except PlaywrightError:  # the last poll: the page reloads at once (HX-Refresh)
                return
            m = re.search(r'data-progress="(\d+)"', body)
            if m and (not seen or seen[-1] != int(m.group(1))):
                seen.append(int(m.group(1)))

    out: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("HIMPUN_CHROMIUM", "/usr/bin/chromium"),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport=PHONE, locale="id-ID")
        page.set_default_timeout(WAIT_MS)
        page.on("response", on_response)
        page.goto(base + "/akun/masuk/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(base + "/impor/baru/members/")
        page.fill("#id_unit", unit)
        page.set_input_files("#id_file", str(path))
        started = time.perf_counter()
        page.get_by_role("button", name="Unggah").click()
        page.wait_for_selector("[data-mapping]", timeout=300_000)  # else the form's error
        out["upload_s"] = round(time.perf_counter() - started, 1)
        page.screenshot(path=str(tmp / "mapping.png"), full_page=True)

        started = time.perf_counter()
        page.locator("[data-check]").click()
        page.wait_for_selector("[data-preview]")
        out["dry_run_s"] = round(time.perf_counter() - started, 1)
        out["preview"] = {
            k: page.locator(f'[data-preview] [data-count="{k}"]').inner_text()
            for k in ("created", "updated", "unchanged", "failed", "warned")
        }

        started = time.perf_counter()
        page.locator("[data-commit]").click()
        page.wait_for_selector("[data-result]")
        out["import_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        page.wait_for_selector("[data-duplicates]:not([data-duplicates=''])")
        out["duplicate_check_s"] = round(time.perf_counter() - started, 1)
        out["progress_seen"] = seen
        shot = ROOT / "test-artifacts" / "b1-browser-done-360.png"
        page.screenshot(path=str(shot))  # what a phone shows first
        with page.expect_download() as download:
            page.locator("[data-report]").click()
        download.value.save_as(tmp / "report.xlsx")
        browser.close()
    return out


if __name__ == "__main__":
    main()
