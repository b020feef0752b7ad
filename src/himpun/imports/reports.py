"""The error report of an import: every failed row (and every row with a warning) with its
row number, the reason, and the row's own cells — fix them and upload the file again."""

from __future__ import annotations

from typing import IO

import xlsxwriter
from django.utils.translation import gettext as _

from himpun.imports.models import ImportIssue, ImportJob, IssueLevel


def issues_xlsx(job: ImportJob, *, dry_run: bool, out: IO[bytes]) -> int:
    """Write the report to `out` in constant memory; returns the number of rows written."""
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet(_("Baris bermasalah")[:31])
    bold = book.add_format({"bold": True})
    text = book.add_format({"num_format": "@"})
    sheet.write_row(0, 0, [_("Baris"), _("Jenis"), _("Alasan"), *job.header], bold)
    sheet.set_column(2, 2, 60)
    n = 0
    issues = ImportIssue.objects.filter(job=job, dry_run=dry_run).order_by("row", "id")
    for n, issue in enumerate(issues.iterator(chunk_size=2000), start=1):
        sheet.write_number(n, 0, issue.row)
        sheet.write_string(n, 1, str(IssueLevel(issue.level).label))
        sheet.write_string(n, 2, issue.message)
        for i, value in enumerate(issue.values):
            # As text, so a NIK or phone keeps its digits and nothing is read as a formula.
            sheet.write_string(n, 3 + i, str(value), text)
    book.close()
    return n
