"""Payroll check-off ("potong upah") through the bulk import engine, set-based.

An employer's monthly remittance file (No Anggota / NIK / Nama / Jumlah) is one import job of
kind `iuran` with its options: the month, optionally the employer and the total the employer
declares. Each row is matched to a member of the organisation by member number, then NIK,
then — last resort, flagged with a warning — the same name among the members of the
importing unit's subtree (only when exactly one member has it).

A matched, active member of the importing unit's subtree whose amount equals their monthly
dues gets a check-off payment (method potong_upah, one month, period = the job's month). The
money goes into the books as one entry per batch of rows and collecting unit (the member's
unit, as for a payment at the counter), kind potong_upah, linked to the job's
`CheckoffBatch`: each payment is split exactly by the unit's split rule and the postings of
all the unit's members are summed per (unit, account, counterparty), so the ledger holds the
same rupiah as one payment per member would, in a handful of rows.

Everything else is queued for the treasurer as a `CheckoffLine` (state open) with its
problem: no such member, a member outside the importing unit's subtree, a member not active,
and **an amount other than the member's monthly dues**. The last is queued rather than posted
on purpose: a wrong deduction is the employer's mistake to correct (refund or top-up), and a
posted payment can only be undone by a reversing entry, while a queued line costs one click
to post (`checkoff.checkoff_line_resolve`). A member made nonaktif by the arrears run is
posted (paying makes them active again). When the monthly dues cannot be known (wage-based
dues without a wage on record), the row is posted as the employer deducted it, with a warning.

Unreadable amounts ("abc", negative, zero) are row errors with their row number; the other
rows go in. Importing the same file again posts nothing: a member who already has a check-off
payment for the month is "unchanged", and a row already queued in a batch of the same unit and
month (same cells) is not queued twice. A declared total other than the sum of the file's
amounts is reported as the job's message, after the dry run and after the import.

Per batch of rows, whatever its size: one query for the members, one for earlier payments,
the entries in one INSERT, postings and payments by COPY on PostgreSQL, the accounts' first
unpaid month moved on in one UPDATE (`services.months_paid_add`), lines and audit
entries in bulk. Policies and split rules are loaded once per run and resolved in memory.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himpun.core.bulk import rows_insert
from himpun.core.lookups import pg_array
from himpun.core.models import AuditEntry
from himpun.core.scoping import ancestor_paths
from himpun.core.templatetags.himpun import rupiah
from himpun.dues.choices import Basis, EntryKind, LineProblem, Method
from himpun.dues.models import (
    CheckoffBatch,
    CheckoffLine,
    DuesPolicy,
    Entry,
    MemberDues,
    Payment,
    Posting,
    SplitRule,
    SplitShare,
)
from himpun.dues.services import (
    Share,
    account_opens,
    closed_months,
    dues_counter_deltas,
    minimum_wage,
    months_paid_add,
    split_postings,
)
from himpun.imports.engine import BatchResult, Importer, Row, register
from himpun.imports.mapping import Field
from himpun.imports.models import ImportJob
from himpun.imports.parsing import ParseError, parse_amount, parse_nik
from himpun.members.choices import Status
from himpun.members.models import Member
from himpun.members.validation import search_name
from himpun.structure.models import Employer, OrgUnit
from himpun.structure.services import unit_counts_adjust

CHECKOFF_FIELDS: tuple[Field, ...] = (
    Field(
        "number",
        gettext_lazy("Nomor anggota"),
        ("no anggota", "nomor anggota", "no kta", "nomor kta", "kta", "nia", "member number"),
    ),
    Field("nik", gettext_lazy("NIK"), ("nik", "no ktp", "nomor ktp", "no nik", "ktp")),
    Field(
        "name",
        gettext_lazy("Nama"),
        ("nama", "nama anggota", "nama karyawan", "nama pekerja", "nama lengkap", "name"),
    ),
    Field(
        "amount",
        gettext_lazy("Jumlah potongan"),
        (
            "jumlah",
            "potongan iuran",
            "potongan",
            "iuran",
            "nominal",
            "jumlah potongan",
            "potongan iuran serikat",
            "iuran serikat",
            "amount",
        ),
        required=True,
    ),
)

_FLOAT_ZERO = re.compile(r"(\d+)\.0+")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})(?:-01)?|(\d{1,2})[/-](\d{4})")
#: What the check-off reads of each member it matches.
MATCHED = (
    "id",
    "number",
    "nik",
    "search_name",
    "full_name",
    "unit_id",
    "unit__path",
    "status",
    "joined_on",
    "status_since",
    "dues__wage",
    "dues__inactive_for_arrears",
    "dues__unpaid_from",
)
#: Members a check-off may post for; nonaktif only when the arrears run made them so.
LIVE = (Status.ACTIVE, Status.INACTIVE)


# --- the rules, loaded once and resolved in memory ---------------------------------------------


@dataclass
class Rules:
    """One organisation's dues policies and split rules, resolved per unit without a query
    per unit: the same answers as `services.policy_for` and `services.split_for`."""

    organisation_id: int
    policies: dict[str, list[DuesPolicy]]  # unit path → newest first
    splits: dict[str, list[tuple[datetime.date, list[tuple[int, int, str]]]]]
    #: path → (pk, kind order, region)
    units: dict[str, tuple[int, int | None, str]] = field(default_factory=dict)
    wages: dict[tuple[str, int], int | None] = field(default_factory=dict)
    _split_cache: dict[tuple[str, datetime.date], list[Share]] = field(default_factory=dict)
    _policy_cache: dict[tuple[str, datetime.date], DuesPolicy | None] = field(default_factory=dict)

    @classmethod
    def load(cls, organisation: OrgUnit) -> Rules:
        policies: dict[str, list[DuesPolicy]] = defaultdict(list)
        for p in (
            DuesPolicy.objects.filter(unit__path__startswith=organisation.path)
            .select_related("unit")
            .order_by("-effective_from")
        ):
            policies[p.unit.path].append(p)
        shares: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        for rule_id, order, bp, label, level in (
            SplitShare.objects.filter(rule__unit__path__startswith=organisation.path)
            .order_by("id")
            .values_list("rule_id", "level__order", "share_bp", "label", "level__name")
        ):
            shares[rule_id].append((order, bp, label or level))
        splits: dict[str, list[tuple[datetime.date, list[tuple[int, int, str]]]]] = defaultdict(
            list
        )
        for pk, path, start in (
            SplitRule.objects.filter(unit__path__startswith=organisation.path)
            .order_by("-effective_from")
            .values_list("pk", "unit__path", "effective_from")
        ):
            splits[path].append((start, shares[pk]))
        return cls(organisation.pk, dict(policies), dict(splits))

    def first_policy(self) -> datetime.date | None:
        starts = [p.effective_from for ps in self.policies.values() for p in ps]
        return min(starts).replace(day=1) if starts else None

    def need_units(self, paths: set[str]) -> None:
        wanted = {a for p in paths for a in ancestor_paths(p)} - self.units.keys()
        if wanted:
            for path, pk, order, region in OrgUnit._base_manager.filter(
                path__in=wanted
            ).values_list("path", "pk", "kind__order", "region_code"):
                self.units[path] = (pk, order, region)

    def policy(self, path: str, on: datetime.date) -> DuesPolicy | None:
        key = (path, on)
        if key in self._policy_cache:
            return self._policy_cache[key]
        found = None
        for ancestor in reversed(ancestor_paths(path)):
            found = next(
                (p for p in self.policies.get(ancestor, ()) if p.effective_from <= on), None
            )
            if found is not None:
                break
        self._policy_cache[key] = found
        return found

    def expected(self, path: str, on: datetime.date, wage: int | None) -> int | None:
        """A member's monthly dues (as `services.monthly_dues`), None when unknown."""
        policy = self.policy(path, on)
        if policy is None:
            return None
        if policy.basis == Basis.FIXED:
            return policy.amount
        if policy.basis == Basis.WAGE:
            base = wage
        else:
            region = policy.region_code or self.units[path][2]
            if (region, on.year) not in self.wages:
                self.wages[region, on.year] = minimum_wage(self.organisation_id, region, on.year)
            base = self.wages[region, on.year]
        if not base:
            return None
        return (base * policy.rate_bp + 5000) // 10000

    def split(self, path: str, on: datetime.date) -> list[Share]:
        key = (path, on)
        if key in self._split_cache:
            return self._split_cache[key]
        chain = [self.units[a] for a in reversed(ancestor_paths(path))]  # nearest first
        rule = None
        for ancestor in reversed(ancestor_paths(path)):
            rule = next((s for start, s in self.splits.get(ancestor, ()) if start <= on), None)
            if rule is not None:
                break
        if rule is None:
            shares = [Share(chain[0][0], 10000, "")]
        else:
            merged: dict[int, list[Any]] = {}
            for order, bp, label in rule:
                target = next(
                    (pk for pk, o, _r in chain if o is not None and o <= order), chain[-1][0]
                )
                slot = merged.setdefault(target, [0, []])
                slot[0] += bp
                slot[1].append(label)
            shares = [Share(pk, bp, " + ".join(labels)) for pk, (bp, labels) in merged.items()]
        self._split_cache[key] = shares
        return shares


# --- the importer --------------------------------------------------------------------------------

#: A file of at least this many rows refreshes the ledger's planner statistics as it goes
#: (see `_ledger_statistics`).
ANALYSE_FROM = 50_000


def _ledger_statistics() -> None:
    """ANALYZE the tables a check-off fills, on PostgreSQL, after the 1st, 2nd, 4th, 8th and
    16th batch of a large file. A union's first large check-off starts on (nearly) empty
    ledger tables, and PostgreSQL plans the foreign-key check of every payment and posting
    (one per row) once, for the table it believes tiny: a scan of the entries, which grow
    by a hundred or so with every batch. Measured on a month of 800,000 payments: 31 s of
    database time in those checks, against 2 s probing the index. Statistics refreshed as
    the tables double keep the plans on the index once the tables are worth it. A refusal
    (a database user who does not own the tables) only loses the advice."""
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("ANALYZE dues_entry, dues_posting, dues_payment")
    except DatabaseError:
        pass


@dataclass
class Context:
    job: ImportJob
    unit: OrgUnit
    organisation: OrgUnit
    month: datetime.date
    declared: int | None
    today: datetime.date
    rules: Rules
    batch: CheckoffBatch | None  # None in a dry run
    #: cells of rows already queued for this unit and month (a second import queues nothing)
    queued: set[str]
    file_total: int = 0
    #: member id → the row of this run that posted (or would post) for them
    touched: dict[int, int] = field(default_factory=dict)
    #: amount cells already read: their rupiah, or why they cannot be read
    amounts: dict[str, int | str] = field(default_factory=dict)
    batches_posted: int = 0
    #: who imports (the job's user, read once: the job is refreshed between batches)
    actor: Any = None


def _parse_month(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    m = _MONTH.fullmatch(str(value).strip())
    if m:
        year, month = (int(m[1]), int(m[2])) if m[1] else (int(m[4]), int(m[3]))
        if 1 <= month <= 12 and 2000 <= year <= 2100:
            return datetime.date(year, month, 1)
    raise ValidationError(
        _("Bulan “%(value)s” tidak dikenali; tulis seperti 2026-10.") % {"value": value}
    )


def _fingerprint(cells: dict[str, str]) -> str:
    return json.dumps(cells, sort_keys=True, ensure_ascii=False)


@dataclass
class _Posting:
    row: Row
    member: dict[str, Any]
    amount: int


@register
class CheckoffImporter(Importer):
    kind = "iuran"
    label = gettext_lazy("Iuran potong upah")
    fields = CHECKOFF_FIELDS
    model = Payment
    #: What a batch reads (members, their earlier payments of the month, closed months)
    #: changes with the run's own writes only through payments, and the members this run
    #: has paid for are in `Context.touched`, the lines it queued in `Context.queued`.
    pipelined = True
    option_fields: ClassVar[dict[str, Any]] = {
        "month": forms.CharField(
            label=gettext_lazy("Bulan iuran"),
            help_text=gettext_lazy("Bulan potongan upah ini, misalnya 10/2026."),
            widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "10/2026"}),
        ),
        "total": forms.CharField(
            label=gettext_lazy("Total setoran menurut perusahaan"),
            required=False,
            help_text=gettext_lazy("Boleh kosong. Bila diisi, dibandingkan dengan jumlah baris."),
        ),
        "employer": forms.CharField(
            label=gettext_lazy("Perusahaan"),
            required=False,
            max_length=200,
        ),
    }

    def options_clean(self, options: dict[str, Any], *, unit: OrgUnit) -> dict[str, Any]:
        if not options.get("month"):
            raise ValidationError(_("Pilih bulan iuran yang disetor."))
        cleaned: dict[str, Any] = {"month": _parse_month(options["month"]).isoformat()}
        total = options.get("total")
        if total not in (None, ""):
            try:
                cleaned["total"] = total if isinstance(total, int) else parse_amount(str(total))
            except ParseError as exc:
                raise ValidationError(str(exc)) from None
            if cleaned["total"] < 0:
                raise ValidationError(_("Total setoran tidak boleh negatif."))
        employer = options.get("employer")
        if employer not in (None, ""):
            org = unit.organisation_id or unit.pk
            qs = Employer._base_manager.filter(unit__organisation_id=org, archived_at=None)
            text = str(employer).strip()
            found = list(
                (qs.filter(pk=int(text)) if text.isdigit() else qs.filter(name__iexact=text))[:2]
            )
            if len(found) != 1:
                raise ValidationError(
                    _("Perusahaan “%(name)s” tidak ditemukan.") % {"name": text[:100]}
                )
            cleaned["employer"] = found[0].pk
        return cleaned

    def begin(self, job: ImportJob, *, dry_run: bool) -> Context:
        unit = OrgUnit._base_manager.get(pk=job.unit_id)
        org = OrgUnit._base_manager.get(pk=unit.organisation_id or unit.pk)
        options = job.options or {}
        month = _parse_month(options.get("month") or timezone.localdate())
        batch = None
        if not dry_run:
            batch, _created = CheckoffBatch.objects.get_or_create(
                job=job,
                defaults={
                    "unit": unit,
                    "employer_id": options.get("employer"),
                    "month": month,
                    "declared_total": options.get("total"),
                    "actor": job.user,
                },
            )
        queued = {
            _fingerprint(cells)
            for cells in CheckoffLine.objects.filter(
                batch__unit=unit, batch__month=month
            ).values_list("cells", flat=True)
        }
        return Context(
            job=job,
            unit=unit,
            organisation=org,
            month=month,
            declared=options.get("total"),
            today=timezone.localdate(),
            rules=Rules.load(org),
            batch=batch,
            actor=job.user,
            queued=queued,
            # a resumed import continues the sum of the rows its earlier batches read
            file_total=0 if dry_run else int(options.get("_file_total", 0)),
        )

    # --- one batch ------------------------------------------------------------------------
    def process(self, ctx: Context, rows: list[Row], *, dry_run: bool) -> BatchResult:
        result = BatchResult()
        parsed: list[tuple[Row, str, str, str, int]] = []
        amounts = ctx.amounts
        if len(amounts) > 10_000:  # a file of a few distinct amounts is the rule; bound it
            amounts.clear()
        for row in rows:
            v = row.values
            text = v.get("amount", "")
            amount = amounts.get(text)
            if amount is None:
                try:
                    amount = amounts[text] = parse_amount(text)
                except ParseError as exc:
                    amounts[text] = str(exc)
                    amount = amounts[text]
            if isinstance(amount, str):
                result.error(row, amount)
                continue
            number = v.get("number", "").strip()
            if "." in number and (m := _FLOAT_ZERO.fullmatch(number)):
                number = m[1]
            name = search_name(v.get("name", ""))
            nik = ""
            if v.get("nik", "").strip():
                try:
                    nik, _w = parse_nik(v["nik"])
                except ParseError as exc:
                    if not (number or name):
                        result.error(row, _("NIK: %(error)s") % {"error": exc})
                        continue
                    result.warn(row, _("NIK: %(error)s") % {"error": exc})
            if not (number or nik or name):
                result.error(row, _("Baris ini tidak berisi nomor anggota, NIK, atau nama."))
                continue
            ctx.file_total += amount
            parsed.append((row, number, nik, name, amount))

        by_number, by_nik = self._members(ctx, parsed)
        matched: list[dict[str, Any] | None] = [
            (by_number.get(number) if number else None) or (by_nik.get(nik) if nik else None)
            for _r, number, nik, _s, _a in parsed
        ]
        by_name = self._named(
            ctx, {p[3] for p, m in zip(parsed, matched, strict=True) if m is None and p[3]}
        )
        found = [*by_number.values(), *by_nik.values(), *(m for ms in by_name.values() for m in ms)]
        ctx.rules.need_units({m["unit__path"] for m in found})
        paid = self._paid(ctx, {m["id"] for m in found})

        posts: list[_Posting] = []
        lines: list[CheckoffLine] = []
        for (row, _number, _nik, name, amount), member in zip(parsed, matched, strict=True):
            if member is None and name:
                named = by_name.get(name, [])
                if len(named) == 1:
                    member = named[0]
                    result.warn(
                        row,
                        _(
                            "Dicocokkan hanya dengan nama (%(name)s, %(number)s); periksa "
                            "apakah benar anggota ini."
                        )
                        % {"name": member["full_name"], "number": member["number"]},
                    )
            problem = ""
            if member is None:
                problem = LineProblem.UNMATCHED
            elif not member["unit__path"].startswith(ctx.unit.path):
                problem = LineProblem.OUT_OF_SCOPE
            elif member["status"] not in LIVE or (
                member["status"] == Status.INACTIVE and not member["dues__inactive_for_arrears"]
            ):
                problem = LineProblem.NOT_ACTIVE
            elif member["id"] in paid or member["id"] in ctx.touched:
                earlier = ctx.touched.get(member["id"])
                if earlier is not None and earlier != row.number:
                    result.error(
                        row,
                        _("Anggota ini sudah ada di baris %(row)s berkas ini.") % {"row": earlier},
                    )
                else:
                    result.unchanged += 1
                continue
            else:
                expected = ctx.rules.expected(member["unit__path"], ctx.month, member["dues__wage"])
                if expected is None:
                    result.warn(
                        row,
                        _("Iuran bulanan anggota ini tidak diketahui; jumlah tidak diperiksa."),
                    )
                elif expected != amount:
                    problem = LineProblem.AMOUNT
            if problem:
                cells = {
                    (h or str(i + 1)): c
                    for i, (h, c) in enumerate(zip(ctx.job.header, row.cells, strict=False))
                }
                key = _fingerprint(cells)
                if key in ctx.queued:
                    result.unchanged += 1
                    continue
                ctx.queued.add(key)
                message = LineProblem(problem).label
                if problem == LineProblem.AMOUNT:
                    message = _("%(problem)s: berkas %(amount)s, iuran %(expected)s") % {
                        "problem": message,
                        "amount": rupiah(amount),
                        "expected": rupiah(expected or 0),
                    }
                result.warn(row, _("Diantrekan untuk bendahara: %(why)s.") % {"why": message})
                lines.append(
                    CheckoffLine(
                        batch=ctx.batch,
                        row=row.number,
                        member_id=member["id"] if member else None,
                        cells=cells,
                        amount=amount,
                        problem=problem,
                    )
                )
                continue
            ctx.touched[member["id"]] = row.number
            posts.append(_Posting(row, member, amount))

        if not dry_run and posts:
            closed = closed_months({p.member["unit_id"] for p in posts}, [ctx.today.replace(day=1)])
            if closed:
                shut = {u for u, _m in closed}
                for p in [p for p in posts if p.member["unit_id"] in shut]:
                    result.error(
                        p.row,
                        _("Buku bulan ini unit anggota sudah ditutup; tidak dapat dicatat."),
                    )
                    del ctx.touched[p.member["id"]]
                posts = [p for p in posts if p.member["unit_id"] not in shut]
        result.created += len(posts)
        if not dry_run:
            # the running total as of this batch: the next batch may be read before this
            # one is written
            result.write = self._writes(ctx, posts, lines, ctx.file_total)
        return result

    # --- reading --------------------------------------------------------------------------
    def _members(
        self, ctx: Context, parsed: list[tuple[Row, str, str, str, int]]
    ) -> tuple[dict[str, dict], dict[str, dict]]:
        """Members of the organisation by the numbers and NIKs of the batch (one query)."""
        numbers = {n for _r, n, _k, _s, _a in parsed if n}
        by_number: dict[str, dict] = {}
        by_nik: dict[str, dict] = {}
        # Two queries, each on its own index ("number = ANY … OR nik = ANY …" makes the
        # planner scan every member of the organisation); NIKs only for the rows whose
        # number found nobody, since the number decides first.
        if numbers:
            for m in self._query(ctx, Q(number__any=sorted(numbers))):
                by_number.setdefault(m["number"], m)
        niks = {k for _r, n, k, _s, _a in parsed if k and n not in by_number}
        if niks:
            for m in self._query(ctx, Q(nik__any=sorted(niks))):
                by_nik.setdefault(m["nik"], m)
        return by_number, by_nik

    def _named(self, ctx: Context, names: set[str]) -> dict[str, list[dict]]:
        """The last resort: members of the importing unit's subtree by name (one query)."""
        by_name: dict[str, list[dict]] = defaultdict(list)
        if names:
            q = Q(search_name__any=sorted(names), unit__path__startswith=ctx.unit.path)
            for m in self._query(ctx, q):
                by_name[m["search_name"]].append(m)
        return by_name

    def _query(self, ctx: Context, q: Q) -> list[dict[str, Any]]:
        qs = (
            Member._base_manager.filter(
                q,
                organisation_id=ctx.organisation.pk,
                merged_into__isnull=True,
                archived_at__isnull=True,
            )
            .order_by("pk")  # the oldest record wins, as in the member import
            .values_list(*MATCHED)
        )
        # the rows as plain dicts straight from the cursor: the ORM's own row objects cost
        # more than the query for a batch of 5,000 (none of these columns needs converting)
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return [dict(zip(MATCHED, r, strict=True)) for r in cur.fetchall()]

    def _paid(self, ctx: Context, ids: set[int]) -> set[int]:
        """Members who already have a check-off payment (not reversed) for the month."""
        if not ids:
            return set()
        if connection.vendor == "postgresql":
            # Probed member by member, each a subquery on the (member, period) index: as a
            # join the planner scanned the month's payments in every batch, more of them
            # with each batch (80 ms a batch by the end of a month of 800,000).
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT k.id FROM unnest(%s::bigint[]) AS k(id) WHERE (SELECT sum(p.months) "
                    "FROM dues_payment p WHERE p.member_id = k.id AND p.method = %s "
                    "AND p.period = %s) > 0",
                    [pg_array(sorted(ids)), Method.CHECKOFF, ctx.month],
                )
                return {r[0] for r in cur.fetchall()}
        return set(
            Payment._base_manager.filter(
                member_id__any=sorted(ids), method=Method.CHECKOFF, period=ctx.month
            )
            .values("member_id")
            .annotate(months=Sum("months"))
            .filter(months__gt=0)
            .values_list("member_id", flat=True)
        )

    # --- writing --------------------------------------------------------------------------
    def _writes(
        self, ctx: Context, posts: list[_Posting], lines: list[CheckoffLine], file_total: int
    ) -> Callable[[], None]:
        """The batch's writes, ready to run: everything that can be worked out before the
        entries have their ids (accounts to open, splits, payments, counters) is worked out
        here, where the batch is read, so the writer thread of a pipelined run only sends
        rows to the database."""
        batch = ctx.batch
        assert batch is not None
        on = ctx.today
        actor = ctx.actor
        first_row = min([p.row.number for p in posts] + [line.row for line in lines], default=0)
        # accounts for members paying for the first time, owed from the month they joined
        # (never before the organisation's first dues policy), as the arrears run
        start = ctx.rules.first_policy()
        accounts = [
            MemberDues(member_id=m["id"], owed_from=opens, unpaid_from=opens)
            for m in (p.member for p in posts)
            if m["dues__unpaid_from"] is None
            for opens in [account_opens(m["joined_on"], m["status_since"], start)]
        ]
        by_unit: dict[str, list[_Posting]] = defaultdict(list)
        for p in posts:
            by_unit[p.member["unit__path"]].append(p)
        now = timezone.now()
        entries = [
            {
                "organisation_id": ctx.organisation.pk,
                "unit_id": group[0].member["unit_id"],
                "kind": EntryKind.CHECKOFF,
                "on": on,
                "description": (
                    _("Potong upah %(month)s: %(n)s anggota")
                    % {"month": f"{ctx.month:%m-%Y}", "n": len(group)}
                )[:200],
                "actor_id": actor.pk,
                "created_at": now,
                "key": f"potong-upah:{batch.pk}:{group[0].member['unit_id']}:{first_row}",
                "batch_id": batch.pk,
            }
            for group in by_unit.values()
        ]
        content_type = ContentType.objects.get_for_model(Entry)
        audits = [
            AuditEntry(
                actor=actor,
                actor_name=actor.username,
                action="create",
                content_type=content_type,
                object_repr=str(Entry(on=on, description=entry["description"]))[:200],
                changes={
                    "kind": EntryKind.CHECKOFF,
                    "on": on.isoformat(),
                    "total": sum(p.amount for p in group),
                    "members": len(group),
                },
                batch=ctx.job.batch,
            )
            for entry, group in zip(entries, by_unit.values(), strict=True)
        ]
        # rows that name their entry by its place in `entries` until it has an id
        postings: list[dict[str, Any]] = []
        payments: list[dict[str, Any]] = []
        reference = ctx.job.filename[:80]
        for i, (path, group) in enumerate(by_unit.items()):
            collector = group[0].member["unit_id"]
            shares = ctx.rules.split(path, on)
            sums: dict[tuple[int, str, int | None], int] = Counter()
            # members paying the same amount split the same way: split once per amount
            for amount, n in Counter(p.amount for p in group).items():
                for unit_id, account, part, other in split_postings(amount, collector, shares):
                    sums[unit_id, account, other] += part * n
            postings += [
                {
                    "entry_id": i,
                    "unit_id": unit_id,
                    "account": account,
                    "amount": amount,
                    "on": on,
                    "counterparty_id": other,
                }
                for (unit_id, account, other), amount in sums.items()
                if amount
            ]
            payments += [
                {
                    "entry_id": i,
                    "member_id": p.member["id"],
                    "unit_id": collector,
                    "method": Method.CHECKOFF,
                    "amount": p.amount,
                    "joining_fee": 0,
                    "period": ctx.month,
                    "months": 1,
                    "on": on,
                    "reference": f"{reference}:{p.row.number}",
                }
                for p in group
            ]
        deltas = dues_counter_deltas(
            (p.member["unit__path"], ctx.month, 1, p.amount, on) for p in posts
        )
        paying = [p.member["id"] for p in posts]
        # only a member the arrears run made nonaktif is posted while nonaktif
        reactivate = [p.member["id"] for p in posts if p.member["status"] != Status.ACTIVE]
        posted_total = sum(p.amount for p in posts)
        statistics = bool(posts) and (ctx.job.rows_total or 0) >= ANALYSE_FROM

        def write() -> None:
            if posts:
                MemberDues.objects.bulk_create(accounts, batch_size=1000, ignore_conflicts=True)
                ids = rows_insert(Entry, entries)
                for r in postings:
                    r["entry_id"] = ids[r["entry_id"]]
                for r in payments:
                    r["entry_id"] = ids[r["entry_id"]]
                rows_insert(Posting, postings, ids=False)
                rows_insert(Payment, payments, ids=False)
                unit_counts_adjust(deltas=deltas)
                months_paid_add(
                    actor=actor,
                    organisation_id=ctx.organisation.pk,
                    member_ids=paying,
                    months=1,
                    on=on,
                    reactivate=reactivate,
                )
                for audit, pk in zip(audits, ids, strict=True):
                    audit.object_id = str(pk)
                AuditEntry.objects.bulk_create(audits, batch_size=1000)
            CheckoffLine.objects.bulk_create(lines, batch_size=1000)
            CheckoffBatch.objects.filter(pk=batch.pk).update(
                rows=F("rows") + len(posts) + len(lines),
                posted=F("posted") + len(posts),
                posted_total=F("posted_total") + posted_total,
                queued=F("queued") + len(lines),
            )
            # the file's running total survives a killed import with the batch that read it
            ImportJob.objects.filter(pk=ctx.job.pk).update(
                options={**(ctx.job.options or {}), "_file_total": file_total}
            )
            if statistics:
                ctx.batches_posted += 1
                if ctx.batches_posted in (1, 2, 4, 8, 16):
                    _ledger_statistics()

        return write

    def finish(self, ctx: Context, *, dry_run: bool) -> list[str]:
        if ctx.declared is None or ctx.declared == ctx.file_total:
            return []
        return [
            _(
                "Total menurut perusahaan %(declared)s tidak sama dengan jumlah baris berkas "
                "%(file)s (selisih %(diff)s). Periksa berkasnya dengan perusahaan."
            )
            % {
                "declared": rupiah(ctx.declared),
                "file": rupiah(ctx.file_total),
                "diff": rupiah(abs(ctx.declared - ctx.file_total)),
            }
        ]
