"""Employers and workplaces through the bulk import engine.

Natural keys: an employer is its name within the organisation (case and spacing ignored);
a workplace is its name under its employer. A match is updated with the values the file
gives (an empty cell changes nothing), so importing the same file twice changes nothing.
These tables hold thousands of rows, not millions: each batch resolves its references in a
few queries and writes with bulk statements.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himpun.core.models import AuditEntry
from himpun.core.querysets import permission_name
from himpun.core.scoping import scope_paths
from himpun.imports.engine import BatchResult, Importer, Row, UnitRef, register, units_by_reference
from himpun.imports.mapping import Field
from himpun.imports.models import ImportJob
from himpun.imports.parsing import ParseError, is_blank, parse_date, region_lookup
from himpun.structure.bargaining import PKB_MAX_YEARS, add_years, pkb_dates_check
from himpun.structure.models import Employer, Sector, Workplace

REGION = (
    Field("province", gettext_lazy("Provinsi"), ("provinsi", "propinsi", "province")),
    Field(
        "regency",
        gettext_lazy("Kabupaten/kota"),
        ("kabupaten kota", "kab kota", "kabupaten", "kota", "regency", "city"),
    ),
    Field("district", gettext_lazy("Kecamatan"), ("kecamatan", "district")),
)
UNIT = Field(
    "unit",
    gettext_lazy("Unit pengelola"),
    ("unit", "kode unit", "unit pengelola", "puk", "cabang", "unit code"),
)
EMPLOYER_FIELDS = (
    Field(
        "name",
        gettext_lazy("Nama perusahaan"),
        ("nama perusahaan", "perusahaan", "nama pt", "company", "company name", "employer"),
        required=True,
    ),
    Field("sector", gettext_lazy("Sektor"), ("sektor", "sektor industri", "sector", "industry")),
    Field("address", gettext_lazy("Alamat"), ("alamat", "alamat perusahaan", "address")),
    *REGION,
    UNIT,
)
WORKPLACE_FIELDS = (
    Field(
        "employer",
        gettext_lazy("Perusahaan"),
        ("perusahaan", "nama perusahaan", "company", "employer"),
        required=True,
    ),
    Field(
        "name",
        gettext_lazy("Nama lokasi"),
        ("nama lokasi", "lokasi", "tempat kerja", "pabrik", "site", "workplace", "plant"),
        required=True,
    ),
    Field(
        "headcount",
        gettext_lazy("Jumlah pekerja"),
        ("jumlah pekerja", "jumlah karyawan", "jml pekerja", "headcount", "employees"),
    ),
    Field("address", gettext_lazy("Alamat"), ("alamat", "alamat lokasi", "address")),
    *REGION,
    UNIT,
    Field(
        "unions_present",
        gettext_lazy("Jumlah serikat di tempat kerja"),
        ("jumlah serikat", "jml serikat", "serikat di tempat kerja", "unions", "unions present"),
    ),
    Field(
        "pkb_signed_on",
        gettext_lazy("PKB ditandatangani"),
        ("pkb ditandatangani", "tanggal pkb", "tgl pkb", "pkb mulai", "cba signed"),
    ),
    Field(
        "pkb_expires_on",
        gettext_lazy("PKB berakhir"),
        ("pkb berakhir", "akhir pkb", "berlaku sampai", "masa berlaku pkb", "cba expires"),
    ),
)


def _text(value: str, limit: int, label: str) -> str:
    value = " ".join((value or "").split())
    if any(c in value for c in "<>{}"):
        raise ParseError(_("%(field)s tidak boleh berisi tanda < > { }.") % {"field": label})
    if len(value) > limit:
        raise ParseError(
            _("%(field)s terlalu panjang (paling banyak %(n)s huruf).")
            % {"field": label, "n": limit}
        )
    return value


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass
class Context:
    job: ImportJob
    organisation_id: int
    add_paths: list[str] | None
    units: dict[str, UnitRef | str] = field(default_factory=dict)
    sectors: dict[str, int] | None = None
    seen: dict[Any, int] = field(default_factory=dict)
    today: datetime.date = field(default_factory=timezone.localdate)

    def may_add(self, path: str) -> bool:
        return self.add_paths is None or any(path.startswith(p) for p in self.add_paths)


class ReferenceImporter(Importer):
    """What employers and workplaces share: the unit, the region, scoping, updating."""

    model: Any
    updatable: tuple[str, ...] = ()

    def begin(self, job: ImportJob, *, dry_run: bool) -> Context:
        user = job.user
        return Context(
            job=job,
            organisation_id=job.unit.organisation_id,
            add_paths=None
            if user.is_superuser
            else scope_paths(user, permission_name(self.model, "add")),
        )

    def _units(self, ctx: Context, refs: set[str]) -> None:
        todo = {r for r in refs if r not in ctx.units}
        ctx.units.update(units_by_reference(ctx.organisation_id, todo, ctx.may_add))

    def _common(self, ctx: Context, row: Row, result: BatchResult) -> dict[str, Any] | None:
        """Unit and region of a row; None (and an error) when the row cannot go in."""
        data: dict[str, Any] = {}
        ref = (row.values.get("unit") or "").strip()
        unit = ctx.units.get(ref) if ref else ctx.job.unit
        if isinstance(unit, str) or unit is None:
            result.error(row, unit or _("Unit tidak ditemukan."))
            return None
        if not ctx.may_add(unit.path):
            result.error(row, _("Unit tujuan di luar wewenang Anda."))
            return None
        data["unit_id"] = unit.id
        region = [row.values.get(k, "") for k in ("province", "regency", "district")]
        if any(not is_blank(v) for v in region):
            try:
                code, warnings = region_lookup(*region)
            except ParseError as exc:
                result.error(row, str(exc))
                return None
            for w in warnings:
                result.warn(row, w)
            data["region_code"] = code
        address = row.values.get("address", "")
        if not is_blank(address):
            data["address"] = address.strip()[:2000]
        return data

    def _save(
        self, ctx: Context, creates: list[dict[str, Any]], updates: list[tuple[Any, dict]]
    ) -> None:
        now = timezone.now()
        self.model._base_manager.bulk_create(
            [self.model(**d, created_at=now, updated_at=now) for d in creates], batch_size=1000
        )
        by_fields: dict[tuple[str, ...], list[Any]] = defaultdict(list)
        audit = []
        content_type = ContentType.objects.get_for_model(self.model)
        user = ctx.job.user
        for obj, changes in updates:
            for name, (_old, new) in changes.items():
                setattr(obj, name, new)
            obj.version += 1
            obj.updated_at = now
            by_fields[tuple(sorted(changes))].append(obj)
            audit.append(
                AuditEntry(
                    actor=user,
                    actor_name=user.username,
                    action="update",
                    content_type=content_type,
                    object_id=str(obj.pk),
                    object_repr=str(obj)[:200],
                    object_version=obj.version,
                    changes={k: [str(a), str(b)] for k, (a, b) in changes.items()},
                    batch=ctx.job.batch,
                )
            )
        for names, objs in by_fields.items():
            self.model._base_manager.bulk_update(
                objs, [*names, "version", "updated_at"], batch_size=1000
            )
        AuditEntry.objects.bulk_create(audit, batch_size=1000)

    def _merge(
        self,
        ctx: Context,
        result: BatchResult,
        parsed: list[tuple[Row, dict[str, Any]]],
        existing: dict[Any, Any],
        key_of: Callable[[dict[str, Any]], Any],
        *,
        dry_run: bool,
    ) -> BatchResult:
        """Create, update or leave each parsed row by its natural key; a repeat of an
        earlier row of the file is skipped."""
        creates, updates = [], []
        for row, data in parsed:
            key = key_of(data)
            if key in ctx.seen:
                result.unchanged += 1
                result.warn(row, _("Sama dengan baris %(row)s; dilewati.") % {"row": ctx.seen[key]})
                continue
            ctx.seen[key] = row.number
            obj = existing.get(key)
            if obj is None:
                creates.append(data)
                result.created += 1
            elif changes := self._diff(obj, data):
                updates.append((obj, changes))
                result.updated += 1
            else:
                result.unchanged += 1
        if not dry_run:
            self._save(ctx, creates, updates)
        return result

    def _diff(self, obj: Any, data: dict[str, Any]) -> dict[str, list[Any]]:
        return {
            k: [getattr(obj, k), v]
            for k, v in data.items()
            if k in self.updatable and v not in (None, "") and getattr(obj, k) != v
        }


@register
class EmployerImporter(ReferenceImporter):
    kind = "employers"
    label = gettext_lazy("Perusahaan")
    fields = EMPLOYER_FIELDS
    model = Employer
    updatable = ("sector_id", "address", "region_code")

    def _sector(self, ctx: Context, text: str) -> int | None:
        if ctx.sectors is None:
            ctx.sectors = {}
            for pk, name, code in Sector._base_manager.filter(
                organisation_id=ctx.organisation_id
            ).values_list("pk", "name", "code"):
                ctx.sectors[_key(name)] = pk
                ctx.sectors[_key(code)] = pk
        return ctx.sectors.get(_key(text))

    def process(self, ctx: Context, rows: list[Row], *, dry_run: bool) -> BatchResult:
        result = BatchResult()
        self._units(
            ctx, {r.values["unit"].strip() for r in rows if r.values.get("unit", "").strip()}
        )
        parsed = []
        for row in rows:
            try:
                name = _text(row.values.get("name", ""), 150, str(EMPLOYER_FIELDS[0].label))
            except ParseError as exc:
                result.error(row, str(exc))
                continue
            if not name:
                result.error(row, _("Nama perusahaan wajib diisi."))
                continue
            data = self._common(ctx, row, result)
            if data is None:
                continue
            data["name"] = name
            sector = row.values.get("sector", "")
            if not is_blank(sector):
                data["sector_id"] = self._sector(ctx, sector)
                if data["sector_id"] is None:
                    result.warn(
                        row, _("Sektor “%(s)s” tidak dikenal; dilewati.") % {"s": sector[:60]}
                    )
            parsed.append((row, data))
        keys = {_key(d["name"]) for _r, d in parsed}
        existing = {
            _key(e.name): e
            for e in Employer._base_manager.annotate(lname=Lower("name")).filter(
                unit__organisation_id=ctx.organisation_id, lname__in=keys, archived_at__isnull=True
            )
        }
        return self._merge(
            ctx, result, parsed, existing, lambda d: _key(d["name"]), dry_run=dry_run
        )


@register
class WorkplaceImporter(ReferenceImporter):
    kind = "workplaces"
    label = gettext_lazy("Tempat kerja")
    fields = WORKPLACE_FIELDS
    model = Workplace
    updatable = (
        "headcount",
        "address",
        "region_code",
        "unions_present",
        "pkb_signed_on",
        "pkb_expires_on",
    )

    def process(self, ctx: Context, rows: list[Row], *, dry_run: bool) -> BatchResult:
        result = BatchResult()
        self._units(
            ctx, {r.values["unit"].strip() for r in rows if r.values.get("unit", "").strip()}
        )
        employers = {
            _key(n): pk
            for pk, n in Employer._base_manager.filter(
                unit__organisation_id=ctx.organisation_id, archived_at__isnull=True
            ).values_list("pk", "name")
        }
        parsed = []
        for row in rows:
            try:
                name = _text(row.values.get("name", ""), 150, str(WORKPLACE_FIELDS[1].label))
                employer = _text(
                    row.values.get("employer", ""), 150, str(WORKPLACE_FIELDS[0].label)
                )
            except ParseError as exc:
                result.error(row, str(exc))
                continue
            if not name or not employer:
                result.error(row, _("Nama perusahaan dan nama lokasi wajib diisi."))
                continue
            if _key(employer) not in employers:
                result.error(
                    row,
                    _("Perusahaan “%(name)s” belum terdaftar; impor perusahaannya dulu.")
                    % {"name": employer[:100]},
                )
                continue
            data = self._common(ctx, row, result)
            if data is None:
                continue
            data.update(name=name, employer_id=employers[_key(employer)])
            headcount = (row.values.get("headcount") or "").replace(".", "").strip()
            if headcount:
                if not headcount.isdigit():
                    result.error(row, _("Jumlah pekerja harus bilangan bulat."))
                    continue
                data["headcount"] = int(headcount)
            try:
                data.update(self._bargaining(ctx, row))
            except ParseError as exc:
                result.error(row, str(exc))
                continue
            parsed.append((row, data))
        existing = {
            (w.employer_id, _key(w.name)): w
            for w in Workplace._base_manager.filter(
                employer_id__in={d["employer_id"] for _r, d in parsed}, archived_at__isnull=True
            )
        }
        return self._merge(
            ctx,
            result,
            parsed,
            existing,
            lambda d: (d["employer_id"], _key(d["name"])),
            dry_run=dry_run,
        )

    def _bargaining(self, ctx: Context, row: Row) -> dict[str, Any]:
        """The bargaining facts of a row: how many unions are at the workplace (ours
        included: the PKB thresholds of UU 13/2003 Pasal 119–120 depend on it) and the PKB's
        dates, checked as the workplace form checks them."""
        data: dict[str, Any] = {}
        unions = (row.values.get("unions_present") or "").strip()
        if not is_blank(unions):
            if not unions.isdigit() or not 1 <= int(unions) <= 99:
                raise ParseError(
                    _("Jumlah serikat harus bilangan bulat 1–99 (serikat kita termasuk).")
                )
            data["unions_present"] = int(unions)
        # A PKB ends up to 3 years after its signing: "31/12/27" is 2027, not 1927.
        pivot = add_years(ctx.today, PKB_MAX_YEARS)
        for name in ("pkb_signed_on", "pkb_expires_on"):
            value = row.values.get(name) or ""
            if not is_blank(value):
                data[name] = parse_date(value, today=pivot)
        try:
            pkb_dates_check(
                signed_on=data.get("pkb_signed_on"), expires_on=data.get("pkb_expires_on")
            )
        except ValidationError as exc:
            raise ParseError(" ".join(exc.messages)) from None
        return data
