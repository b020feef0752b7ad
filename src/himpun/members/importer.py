"""Members through the bulk import engine: match by natural keys, update or create, set-based.

A row matches an existing member (of the same organisation, not merged or archived) by, in
order: member number, NIK, phone together with the same name (sound key). A match is updated
with the values the file gives (an empty cell never blanks a stored value); no difference
means "unchanged", so importing the same file twice changes nothing the second time. A row
without a match becomes a new member with a number from the organisation's format, assigned in
bulk per sequence. Every batch writes its members, status history, audit entries and unit
counters in a handful of statements, whatever its size.

The importer is pipelined (see the engine): `process` reads and matches a batch and prepares
its writes, ids and all; on PostgreSQL a writer thread sends them while the next batch is
read. Until a batch commits, the members it writes are matched from `Context.inflight`.
What the run has met in the file (members written; in a dry run, also the rows it would
create) is kept in the job's bookkeeping, `ImportSeen`, so memory does not grow with the file.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himpun.core.bulk import ids_draw, rows_insert
from himpun.core.models import AuditEntry
from himpun.core.querysets import permission_name
from himpun.core.scoping import scope_paths
from himpun.core.services import jsonable
from himpun.imports.engine import (
    BatchResult,
    Importer,
    Row,
    UnitRef,
    register,
    units_by_reference,
)
from himpun.imports.models import ImportJob, ImportSeen, seen_key
from himpun.members.choices import TRANSITIONS, Status
from himpun.members.duplicates import Rules, duplicates_detect, duplicates_record
from himpun.members.import_fields import MEMBER_FIELDS, member_row_parse
from himpun.members.models import (
    DEFAULT_NUMBER_FORMAT,
    Member,
    MembershipRule,
    NumberSequence,
    StatusChange,
)
from himpun.members.services import Counted, member_counter_deltas
from himpun.structure.models import Employer, OrgUnit
from himpun.structure.services import unit_counts_adjust

#: Fields a file may set on a member (refs are resolved first; unit and number are keys).
WRITABLE = (
    "full_name",
    "search_name",
    "search_key",
    "gender",
    "birth_date",
    "birth_place",
    "nik",
    "phone",
    "email",
    "region_code",
    "address",
    "employer_id",
    "department",
    "shift",
    "job_title",
    "employment_status",
    "joined_on",
    "recruitment_channel",
)
LOADED = ("id", "unit_id", "number", "status", "status_since", "version", *WRITABLE)
#: what two rows of one person are compared on (the search columns follow from the name)
COMPARED = tuple(n for n in WRITABLE if n not in ("search_name", "search_key"))
FIELD_BYTES = 4


@dataclass
class Context:
    job: ImportJob
    organisation: OrgUnit
    number_format: str
    reason: str
    today: datetime.date
    add_paths: list[str] | None  # None: a superuser
    units: dict[str, UnitRef | str] = field(default_factory=dict)  # ref → unit or an error
    employers: dict[str, int] | None = None
    #: a real run: the members written by the batches not yet known to be committed, batch →
    #: {member id: (row, the member as the batch writes it)}. A pipelined run reads batch
    #: N+1 while batch N is being written; its matching sees these over the database.
    inflight: dict[int, dict[int, tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    #: the batches whose writes have committed (appended by the writing connection)
    committed: deque[int] = field(default_factory=deque)
    batches: int = 0
    #: a dry run: the key of its hashes of natural keys (`seen_key`), never stored
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(16))

    def may_add(self, path: str) -> bool:
        return self.add_paths is None or any(path.startswith(p) for p in self.add_paths)


def _keys(data: dict[str, Any], unit_id: int) -> list[tuple[str, str]]:
    keys = []
    if data.get("number"):
        keys.append(("number", data["number"]))
    if data.get("nik"):
        keys.append(("nik", data["nik"]))
    if data.get("phone"):
        keys.append(("phone", f"{data['phone']} {data['search_key']}"))
    if not keys:
        keys.append(("name", _name_key(data, unit_id)))
    return keys


def _keys_kept(data: dict[str, Any], unit_id: int) -> list[tuple[str, str]]:
    """The keys a new member can be found by later in the same run: its own, and the name keys
    any member is found by (`_existing` indexes a stored member under the same), so a row
    with only a name finds a person an earlier row created with a phone or NIK."""
    keys = [k for k in _keys(data, unit_id) if k[0] != "name"]
    keys.append(("name", _name_key(data, unit_id)))
    if data.get("birth_date"):
        keys.append(("name", _name_key({**data, "birth_date": None}, unit_id)))
    return keys


def _name_key(data: dict[str, Any], unit_id: int) -> str:
    """The last resort for a row without number, NIK or phone: the same name born the same
    day in the organisation, or without a birth date the same name in the same unit."""
    born = data.get("birth_date")
    return f"{data['search_name']}|{born.isoformat() if born else f'unit:{unit_id}'}"


def _conflict(row: int, changes: dict[str, list[Any]]) -> str:
    labels = {f.name: str(f.label).lower() for f in MEMBER_FIELDS}
    labels["employer_id"] = labels.get("employer", "employer")
    fields = [labels.get(k, k) for k in changes if k not in ("search_name", "search_key")]
    return _(
        "Orang yang sama dengan baris %(row)s (nomor anggota, NIK, atau HP dan nama sama), "
        "tetapi berbeda pada: %(fields)s. Satukan kedua baris, lalu impor lagi."
    ) % {"row": row, "fields": ", ".join(fields) or "—"}


@register
class MemberImporter(Importer):
    kind = "members"
    label = gettext_lazy("Anggota")
    fields = MEMBER_FIELDS
    model = Member
    pipelined = True
    duplicates_url = "members:duplicates"

    def begin(self, job: ImportJob, *, dry_run: bool) -> Context:
        if dry_run:  # a dry run starts from the top: forget an earlier one's bookkeeping
            ImportSeen.objects.filter(job=job, dry_run=True).delete()
        unit = OrgUnit._base_manager.get(pk=job.unit_id)
        org = OrgUnit._base_manager.get(pk=unit.organisation_id)
        rule = MembershipRule.objects.filter(organisation=org).first()
        user = job.user
        return Context(
            job=job,
            organisation=org,
            number_format=rule.number_format if rule else DEFAULT_NUMBER_FORMAT,
            reason=_("Impor dari berkas %(file)s") % {"file": job.filename[:120]},
            today=timezone.localdate(),
            add_paths=None
            if user.is_superuser
            else scope_paths(user, permission_name(Member, "add")),
        )

    # --- resolving references ---------------------------------------------------------
    def _resolve_units(self, ctx: Context, refs: set[str]) -> None:
        todo = {r for r in refs if r not in ctx.units}
        ctx.units.update(units_by_reference(ctx.organisation.pk, todo, ctx.may_add))

    def _employer(self, ctx: Context, name: str) -> int | None:
        if ctx.employers is None:
            ctx.employers = {
                n.lower(): pk
                for pk, n in Employer._base_manager.filter(
                    unit__organisation_id=ctx.organisation.pk, archived_at__isnull=True
                ).values_list("pk", "name")
            }
        return ctx.employers.get(" ".join(name.split()).lower())

    # --- one batch ----------------------------------------------------------------------
    def process(self, ctx: Context, rows: list[Row], *, dry_run: bool) -> BatchResult:
        result = BatchResult()
        while ctx.committed:  # in the database now: read there (before reading it)
            ctx.inflight.pop(ctx.committed.popleft(), None)
        parsed: list[tuple[Row, dict[str, Any]]] = []
        default_unit = ctx.job.unit
        default_ref = UnitRef(
            default_unit.pk,
            default_unit.path,
            default_unit.code,
            default_unit.archived_at is not None,
        )
        for row in rows:
            p = member_row_parse(row.values, today=ctx.today)
            for message in p.warnings:
                result.warn(row, message)
            if p.errors:
                result.error(row, " ".join(p.errors))
                continue
            parsed.append((row, p.data))
        self._resolve_units(ctx, {d["unit_ref"] for _r, d in parsed if d.get("unit_ref")})

        ready: list[tuple[Row, dict[str, Any], UnitRef]] = []
        for row, data in parsed:
            ref = data.pop("unit_ref", "") or ""
            data["_unit_given"] = bool(ref)
            unit = ctx.units[ref] if ref else default_ref
            if isinstance(unit, str):
                result.error(row, unit)
                continue
            if not ref and not ctx.may_add(unit.path):
                result.error(row, _("Unit tujuan di luar wewenang Anda."))
                continue
            employer = data.pop("employer_ref", "") or ""
            if employer:
                employer_id = self._employer(ctx, employer)
                if employer_id is None:
                    result.warn(
                        row,
                        _(
                            "Perusahaan “%(name)s” belum terdaftar; kolom perusahaan dilewati. "
                            "Daftarkan perusahaannya dulu lalu impor ulang berkas ini."
                        )
                        % {"name": employer[:100]},
                    )
                else:
                    data["employer_id"] = employer_id
            ready.append((row, data, unit))

        existing = self._existing(ctx, [(d, u.id) for _r, d, u in ready])
        # the rows of this run that already wrote the members found (in-file duplicates):
        # earlier batches' from the job's bookkeeping, this batch's as it goes
        seen = self._touched(
            ctx,
            {m["id"] for key in existing.values() for ms in key.values() for m in ms},
            dry_run=dry_run,
        )
        touched: list[tuple[dict[str, Any], int]] = []  # (matched member, row)
        inserts: list[tuple[Row, dict[str, Any], UnitRef]] = []
        updates: list[tuple[dict[str, Any], dict[str, Any], dict[str, list[Any]]]] = []
        status_moves: list[tuple[dict[str, Any], str]] = []
        batch_new: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
        # a dry run writes no member: the rows of earlier batches it would create, by key
        pending = self._pending(ctx, ready) if dry_run else {}
        for row, data, unit in ready:
            match, problem = self._match(existing, data, unit.id)
            if problem:
                result.error(row, problem)
                continue
            if match is None:
                keys = _keys(data, unit.id)
                twin = next((batch_new[k] for k in keys if k in batch_new), None)
                earlier = next((pending[k] for k in keys if k in pending), None)
                earlier_row = None
                if twin is not None:
                    earlier_row, differs = twin[0], _changes(twin[1], data)
                elif earlier is not None:  # a dry run: an earlier batch's row, as hashes
                    earlier_row = earlier[0]
                    differs = _differs(earlier[1], _fields(ctx, data), data)
                if earlier_row is not None:
                    if differs:
                        result.error(row, _conflict(earlier_row, differs))
                    else:
                        result.unchanged += 1
                        result.warn(
                            row, _("Sama dengan baris %(row)s; dilewati.") % {"row": earlier_row}
                        )
                    continue
                for k in _keys_kept(data, unit.id):
                    batch_new.setdefault(k, (row.number, data))
                inserts.append((row, data, unit))
                result.created += 1
                continue
            if match["id"] in seen:
                earlier = seen[match["id"]]
                changes = _changes(match, data)
                if changes:
                    result.error(row, _conflict(earlier, changes))
                else:
                    result.unchanged += 1
                    result.warn(row, _("Sama dengan baris %(row)s; dilewati.") % {"row": earlier})
                continue
            if not ctx.may_add(match["unit__path"]):
                result.error(
                    row,
                    _(
                        "Anggota ini sudah tercatat di unit lain di luar wewenang Anda; minta "
                        "pengurus unit itu untuk memutasikannya."
                    ),
                )
                continue
            if match["unit_id"] != unit.id and data.get("_unit_given"):
                result.warn(row, _("Unit di berkas berbeda dengan unit anggota; gunakan mutasi."))
            status = data.get("status")
            if status and status != match["status"]:
                if status not in TRANSITIONS[match["status"]]:
                    result.error(
                        row,
                        _("Status %(old)s tidak dapat diubah menjadi %(new)s.")
                        % {"old": Status(match["status"]).label, "new": Status(status).label},
                    )
                    continue
                status_moves.append((match, status))
            changes = _changes(match, data)
            seen[match["id"]] = row.number
            touched.append((match, row.number))
            if changes or (status and status != match["status"]):
                updates.append((match, data, changes))
                result.updated += 1
            else:
                result.unchanged += 1

        if dry_run:  # what the batch would write, kept as the real run keeps what it writes
            seen_rows = [
                {"job_id": ctx.job.pk, "dry_run": True, "key": m["id"], "row": n}
                for m, n in touched
            ]
            fields = {n: _fields(ctx, d) for n, d in batch_new.values()}  # once a row
            seen_rows += [
                {
                    "job_id": ctx.job.pk,
                    "dry_run": True,
                    "key": seen_key(ctx.secret, *k),
                    "row": n,
                    "fields": fields[n],
                }
                for k, (n, _d) in batch_new.items()
            ]
            rows_insert(ImportSeen, seen_rows, ids=False)
        else:
            result.write = self._writes(ctx, inserts, updates, status_moves, touched)
        return result

    def _touched(self, ctx: Context, ids: set[int], *, dry_run: bool) -> dict[int, int]:
        """Of these members, those this run has already created or updated (a dry run: would
        update): id → row."""
        if not ids:
            return {}
        found = dict(
            ImportSeen.objects.filter(
                job=ctx.job, dry_run=dry_run, key__any=sorted(ids)
            ).values_list("key", "row")
        )
        for written in ctx.inflight.values():
            found.update((pk, written[pk][0]) for pk in ids & written.keys())
        return found

    def _pending(
        self, ctx: Context, ready: list[tuple[Row, dict[str, Any], UnitRef]]
    ) -> dict[tuple[str, str], tuple[int, bytes]]:
        """A dry run's rows of earlier batches that it would create, found by the keys of
        this batch's rows: key → (row, its values' hashes, `_fields`)."""
        hashes = {k: seen_key(ctx.secret, *k) for _r, d, u in ready for k in _keys(d, u.id)}
        if not hashes:
            return {}
        found = {
            key: (row, bytes(fields))  # PostgreSQL gives a memoryview
            for key, row, fields in ImportSeen.objects.filter(
                job=ctx.job, dry_run=True, key__any=sorted(set(hashes.values()))
            )
            .order_by("-row")  # a key two rows share: the first row wins
            .values_list("key", "row", "fields")
        }
        return {k: found[h] for k, h in hashes.items() if h in found}

    # --- matching ------------------------------------------------------------------------
    def _existing(
        self, ctx: Context, rows: list[tuple[dict[str, Any], int]]
    ) -> dict[str, dict[str, list]]:
        numbers = {d["number"] for d, _u in rows if d.get("number")}
        niks = {d["nik"] for d, _u in rows if d.get("nik")}
        phones = {d["phone"] for d, _u in rows if d.get("phone")}
        unnamed = [
            (d, u) for d, u in rows if not (d.get("number") or d.get("nik") or d.get("phone"))
        ]
        names = {d["search_name"] for d, _u in unnamed}
        index: dict[str, dict[str, list]] = {"number": {}, "nik": {}, "phone": {}, "name": {}}
        # One query per key, each probing its own index: "number IN … OR nik IN … OR …"
        # made PostgreSQL scan every member of the organisation (600 ms a batch at 1M).
        lookups = [
            {f"{column}__any": sorted(values)}
            for column, values in (("number", numbers), ("nik", niks), ("phone", phones))
            if values
        ]
        # A name alone is shared by too many (at 1M members a batch's names fetched six
        # members a row): with the birth date the name key needs, or without one the unit.
        born = [d for d, _u in unnamed if d.get("birth_date")]
        if born:
            lookups.append(
                {
                    "search_name__any": sorted({d["search_name"] for d in born}),
                    "birth_date__in": {d["birth_date"] for d in born},
                }
            )
        unborn = [(d, u) for d, u in unnamed if not d.get("birth_date")]
        if unborn:
            lookups.append(
                {
                    "search_name__any": sorted({d["search_name"] for d, _u in unborn}),
                    "unit_id__any": sorted({u for _d, u in unborn}),
                }
            )
        by_pk: dict[int, dict[str, Any]] = {}
        for lookup in lookups:
            for m in Member._base_manager.filter(
                **lookup,
                organisation_id=ctx.organisation.pk,
                merged_into__isnull=True,
                archived_at__isnull=True,
            ).values(*LOADED, "unit__path"):
                by_pk[m["id"]] = m
        # the members of batches still being written, as they will be (a later batch's
        # version over an earlier one's, over the database's)
        for written in ctx.inflight.values():
            for pk, (_row, m) in written.items():
                if (
                    pk in by_pk
                    or m["number"] in numbers
                    or m["nik"] in niks
                    or m["phone"] in phones
                    or m["search_name"] in names
                ):
                    by_pk[pk] = m
        # the oldest record wins, every time
        for m in (by_pk[pk] for pk in sorted(by_pk)):
            for key in ("number", "nik", "phone"):
                if m[key]:
                    index[key].setdefault(m[key], []).append(m)
            if m["search_name"] in names:
                for name_key in {
                    _name_key(m, m["unit_id"]),
                    _name_key({**m, "birth_date": None}, m["unit_id"]),
                }:
                    index["name"].setdefault(name_key, []).append(m)
        return index

    def _match(
        self, existing: dict[str, dict[str, list]], data: dict[str, Any], unit_id: int
    ) -> tuple[dict[str, Any] | None, str]:
        by_number = existing["number"].get(data.get("number") or "", [None])[0]
        by_nik = existing["nik"].get(data.get("nik") or "", [None])[0]
        by_phone = next(
            (
                m
                for m in existing["phone"].get(data.get("phone") or "", [])
                if m["search_key"] == data["search_key"]
            ),
            None,
        )
        if by_number and by_nik and by_number["id"] != by_nik["id"]:
            return None, _("Nomor anggota dan NIK di baris ini milik dua anggota yang berbeda.")
        if by_number or by_nik or by_phone:
            return by_number or by_nik or by_phone, ""
        if data.get("number") or data.get("nik") or data.get("phone"):
            return None, ""
        return existing["name"].get(_name_key(data, unit_id), [None])[0], ""

    # --- writing ---------------------------------------------------------------------------
    def _writes(
        self,
        ctx: Context,
        inserts: list,
        updates: list,
        status_moves: list,
        touched: list[tuple[dict[str, Any], int]],
    ) -> Callable[[], None]:
        """The batch's writes, ready to run in its transaction. Everything that can be worked
        out before is worked out here, where the batch is read: the new members' ids, their
        rows and history, the changed columns, the audit entries and the counters, so the
        writer of a pipelined run only sends them. Only the new members' numbers are taken
        in the batch's transaction (a batch that fails leaves no gap). The members the batch
        writes, with their rows, stay in `ctx.inflight` until the batch commits, and are kept
        for the rest of the run in the job's bookkeeping (`ImportSeen`)."""
        now = timezone.now()
        actor = ctx.job.user
        token = ctx.batches
        ctx.batches += 1
        written: dict[int, tuple[int, dict[str, Any]]] = {m["id"]: (n, m) for m, n in touched}
        # (before, after) counted facts of every member written: the counters in one call.
        counted: list[tuple[Counted | None, Counted | None]] = []
        history: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        for (row, data, unit), pk in zip(inserts, ids_draw(Member, len(inserts)), strict=True):
            status = data.get("status") or Status.ACTIVE
            values = {k: data[k] for k in WRITABLE if data.get(k) not in (None, "")}
            values.update(
                id=pk,
                organisation_id=ctx.organisation.pk,
                unit_id=unit.id,
                number=data.get("number") or "",  # else taken in the transaction
                status=status,
                status_since=ctx.today,
                created_at=now,
                updated_at=now,
            )
            if status == Status.ACTIVE and "joined_on" not in values:
                values["joined_on"] = ctx.today
            rows.append(values)
            written[pk] = (
                row.number,
                {**dict.fromkeys(LOADED), **values, "version": 1, "unit__path": unit.path},
            )
            counted.append(
                (
                    None,
                    Counted(
                        unit.path,
                        status,
                        values.get("joined_on"),
                        values.get("recruitment_channel", ""),
                    ),
                )
            )
            history.append(
                {
                    "member_id": pk,
                    "status": status,
                    "on": ctx.today,
                    "reason": ctx.reason,
                    "actor_id": actor.pk,
                    "recorded_at": now,
                }
            )
        changed: list[tuple[Member, tuple[str, ...]]] = []
        audit: list[AuditEntry] = []
        content_type = ContentType.objects.get_for_model(Member)
        moved = {m["id"]: s for m, s in status_moves}
        for match, _data, changes in updates:
            member = Member(id=match["id"], updated_at=now)
            for name, (_old, new) in changes.items():
                setattr(member, name, new)
            if match["id"] in moved:
                member.status = moved[match["id"]]
                member.status_since = ctx.today
                if (
                    member.status == Status.ACTIVE
                    and match["joined_on"] is None
                    and "joined_on" not in changes
                ):
                    # accepted by the file: joined today, as member_status_change does
                    member.joined_on = ctx.today
                    changes = {**changes, "joined_on": [None, ctx.today]}
                history.append(
                    {
                        "member_id": match["id"],
                        "status": member.status,
                        "on": ctx.today,
                        "reason": ctx.reason,
                        "actor_id": actor.pk,
                        "recorded_at": now,
                    }
                )
                changes = {
                    **changes,
                    "status": [match["status"], member.status],
                    "status_since": [match["status_since"], member.status_since],
                }
            written[match["id"]] = (
                written[match["id"]][0],
                {
                    **match,
                    **{k: new for k, (_old, new) in changes.items()},
                    "version": match["version"] + 1,
                },
            )
            before = Counted(
                match["unit__path"],
                match["status"],
                match["joined_on"],
                match["recruitment_channel"],
            )
            after = before._replace(
                status=changes.get("status", [None, before.status])[1],
                joined_on=changes.get("joined_on", [None, before.joined_on])[1],
                channel=changes.get("recruitment_channel", [None, before.channel])[1],
            )
            counted.append((before, after))
            changed.append((member, tuple(sorted(changes))))
            shown = changes.get("full_name", [None, match["full_name"]])[1]
            audit.append(
                AuditEntry(
                    actor=actor,
                    actor_name=actor.username,
                    action="update",
                    content_type=content_type,
                    object_id=str(match["id"]),
                    object_repr=shown[:200],
                    object_version=match["version"] + 1,  # the version the batch writes
                    changes={k: [jsonable(a), jsonable(b)] for k, (a, b) in changes.items()},
                    batch=ctx.job.batch,
                )
            )
        # Only the columns each member changes: one statement per set of columns.
        by_fields: dict[tuple[str, ...], list[Member]] = defaultdict(list)
        for m, names in changed:
            by_fields[names].append(m)
        deltas = member_counter_deltas(counted)
        kept = [{"job_id": ctx.job.pk, "key": pk, "row": n} for pk, (n, _m) in written.items()]
        ctx.inflight[token] = written

        def write() -> None:
            if rows:
                numbers = self._numbers(ctx, [(d, u) for _r, d, u in inserts])
                for values, number in zip(rows, numbers, strict=True):
                    values["number"] = values["number"] or number
                rows_insert(Member, rows)
            for names, group in by_fields.items():
                Member._base_manager.bulk_update(group, [*names, "updated_at"], batch_size=1000)
            if changed:
                Member._base_manager.filter(pk__in=[m.pk for m, _n in changed]).update(
                    version=F("version") + 1
                )
            AuditEntry.objects.bulk_create(audit, batch_size=1000)
            rows_insert(StatusChange, history, ids=False)
            unit_counts_adjust(deltas=deltas)
            rows_insert(ImportSeen, kept, ids=False)
            transaction.on_commit(lambda: ctx.committed.append(token))

        return write

    def finish(self, ctx: Context, *, dry_run: bool) -> list[str]:
        seen = ImportSeen.objects.filter(job=ctx.job, dry_run=dry_run)
        if dry_run:
            seen.delete()  # the run's bookkeeping of what it has met in the file has served
            return []
        if not seen.exists():  # nothing written (a re-import): nothing to check
            ImportJob.objects.filter(pk=ctx.job.pk).update(duplicates=0)
            return []
        # The members written are checked for possible duplicates (a name spelt another way,
        # born the same day) in the background; the check removes the bookkeeping.
        from himpun.members.tasks import import_duplicates_check

        job_id = ctx.job.pk
        transaction.on_commit(lambda: import_duplicates_check.enqueue(job_id=job_id))
        return []

    def _numbers(self, ctx: Context, rows: list[tuple[dict[str, Any], UnitRef]]) -> list[str]:
        """Numbers for new members, in bulk: one locked sequence row per prefix per batch, in
        the batch's transaction (a batch that fails leaves no gap)."""
        fmt = ctx.number_format
        head, _sep, _tail = fmt.partition("{seq")
        org = ctx.organisation
        year = ctx.today.year
        wanted: dict[str, list[int]] = defaultdict(list)
        for i, (data, unit) in enumerate(rows):
            status = data.get("status") or Status.ACTIVE
            if data.get("number") or status in (Status.APPLICANT, Status.REJECTED):
                continue
            wanted[head.format(unit_code=unit.code, org_code=org.code, year=year)].append(i)
        numbers = [""] * len(rows)
        if not wanted:
            return numbers
        # One upsert per 1,000 prefixes takes each run of numbers and locks its sequence to
        # the batch's commit, in the prefixes' order (two imports lock them alike).
        table = NumberSequence._meta.db_table
        last = connection.ops.quote_name("last")
        prefixes = sorted(wanted)
        firsts: dict[str, int] = {}
        for start in range(0, len(prefixes), 1000):
            part = prefixes[start : start + 1000]
            with connection.cursor() as cur:
                cur.execute(
                    f"INSERT INTO {table} (organisation_id, prefix, {last}) "  # noqa: S608
                    f"VALUES {', '.join(['(%s, %s, %s)'] * len(part))} "
                    f"ON CONFLICT (organisation_id, prefix) DO UPDATE "
                    f"SET {last} = {table}.{last} + excluded.{last} RETURNING prefix, {last}",
                    [x for p in part for x in (org.pk, p, len(wanted[p]))],
                )
                for prefix, new_last in cur.fetchall():
                    firsts[prefix] = new_last - len(wanted[prefix]) + 1
        for prefix, indexes in wanted.items():
            for offset, i in enumerate(indexes):
                numbers[i] = fmt.format(
                    unit_code=rows[i][1].code,
                    org_code=org.code,
                    year=year,
                    seq=firsts[prefix] + offset,
                )
        return numbers


def _fields(ctx: Context, data: dict[str, Any]) -> bytes:
    """A dry run's row to be created, as `ImportSeen.fields`: 4 bytes for each field of
    `COMPARED`, zeros for an empty cell, else 32 bits of the BLAKE2b hash of the value's text
    (a choice parsed from its label is an enum member, from its code a plain str: the two
    must hash alike, as they compare equal), keyed with the run's secret. A later row of the
    same person is compared field by field, as the real run compares it with the member the
    earlier row created."""
    out = bytearray(FIELD_BYTES * len(COMPARED))
    for i, name in enumerate(COMPARED):
        value = data.get(name)
        if value not in (None, ""):
            out[FIELD_BYTES * i : FIELD_BYTES * (i + 1)] = hashlib.blake2b(
                f"{name}\x1f{value}".encode(), digest_size=FIELD_BYTES, key=ctx.secret
            ).digest()
    return bytes(out)


def _differs(earlier: bytes, fields: bytes, data: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields a row gives (`fields`, `_fields`) that differ from an earlier row's: what
    `_changes` says when the earlier row's values are at hand (an empty cell differs from
    nothing; the earlier value is not known, only that it is another)."""
    empty = bytes(FIELD_BYTES)
    differs = {}
    for i, name in enumerate(COMPARED):
        mine = fields[FIELD_BYTES * i : FIELD_BYTES * (i + 1)]
        if mine != empty and mine != earlier[FIELD_BYTES * i : FIELD_BYTES * (i + 1)]:
            differs[name] = [None, data.get(name)]
    return differs


def _changes(match: dict[str, Any], data: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields the row gives that differ from the stored member (an empty cell changes nothing)."""
    changes = {}
    for name in WRITABLE:
        new = data.get(name)
        if new in (None, ""):
            continue
        if name in ("search_name", "search_key"):
            continue
        if match.get(name) != new:
            changes[name] = [match.get(name), new]
    if "full_name" in changes:
        for name in ("search_name", "search_key"):
            if match.get(name) != data.get(name):
                changes[name] = [match.get(name), data.get(name)]
    return changes


def import_duplicates_queue(job: ImportJob) -> int:
    """After a member import: the members it created or updated (its `ImportSeen` rows) are
    checked for possible duplicates against the whole organisation, set-based, and the pairs
    found go to the review queue (`DuplicateCandidate`), as a registration's or an edit's do.
    The rows that match an existing member by number, NIK or phone and name were already
    merged into it by the import; this finds the people the natural keys cannot: a name spelt
    another way with the same birth date, a phone shared by alike names. Returns the new
    pairs, also kept on the job; removes the job's bookkeeping."""
    seen = ImportSeen.objects.filter(job=job, dry_run=False)
    organisation_id = OrgUnit._base_manager.values_list("organisation_id", flat=True).get(
        pk=job.unit_id
    )
    found = duplicates_detect(
        Member._base_manager.filter(organisation_id=organisation_id),
        Rules.for_organisation(organisation_id),
        among=Exists(seen.filter(key=OuterRef("pk"))),
    )
    new = duplicates_record(organisation_id, found)
    ImportJob.objects.filter(pk=job.pk).update(duplicates=new)
    seen.delete()
    return new
