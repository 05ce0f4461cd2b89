"""Writes of the screening app: rule edits, watch lists, runs (upload, background processing,
download), and scoring one declaration or shipment. Every write checks the permission, validates,
runs in a transaction and is audited."""

from __future__ import annotations

import json
import multiprocessing
import os
import secrets
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries as country_registry

from shieldhub.core.access import Perm, require, user_country, user_perms
from shieldhub.core.audit import audit_record, diff, snapshot
from shieldhub.core.names import normalise_name
from shieldhub.core.spreadsheets import SpreadsheetError, read_table
from shieldhub.screening import declarations as decl
from shieldhub.screening.choices import RunStatus
from shieldhub.screening.context import build_context
from shieldhub.screening.engine import Declaration, Result, Screener, screen
from shieldhub.screening.models import (
    ConsigneeHistory,
    ScreeningHit,
    ScreeningRule,
    ScreeningRun,
    WatchListCountry,
    WatchListEntity,
)

CHUNK = 20_000  # declarations between two progress updates
HIT_BATCH = 5_000


def max_upload_bytes() -> int:
    return int(getattr(settings, "SCREENING_MAX_UPLOAD_BYTES", 500 * 1024 * 1024))


def runs_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "screening"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


# --- rules ------------------------------------------------------------------------------------

RULE_FIELDS = ["name", "weight", "explanation_en", "explanation_fr", "parameters", "is_active"]


def rule_update(*, actor: Any, rule: ScreeningRule, data: dict[str, Any]) -> ScreeningRule:
    require(actor, Perm.SCREENING_CONFIGURE)
    with transaction.atomic():
        obj = ScreeningRule.objects.select_for_update().get(pk=rule.pk)
        before = snapshot(obj, RULE_FIELDS)
        for name in RULE_FIELDS:
            if name in data and data[name] is not None:
                setattr(obj, name, data[name])
        if not isinstance(obj.parameters, dict):
            raise ValidationError({"parameters": _("Parameters must be a JSON object.")})
        if obj.weight > 100:
            raise ValidationError({"weight": _("A weight is at most 100.")})
        obj.full_clean()
        changes = diff(before, snapshot(obj, RULE_FIELDS))
        if not changes:
            return obj
        obj.updated_at = timezone.now()
        obj.save()
        audit_record(actor=actor, action="screening.rule_update", obj=obj, changes=changes)
    return obj


# --- watch lists ------------------------------------------------------------------------------


def _clean_country(value: str, field: str = "country") -> str:
    code = (value or "").strip().upper()
    if code and code not in dict(country_registry):
        raise ValidationError({field: _("“%(value)s” is not a country code (ISO alpha-2).") % {"value": value}})
    return code


def watch_country_add(*, actor: Any, country: str, reason: str = "") -> WatchListCountry:
    require(actor, Perm.SCREENING_CONFIGURE)
    code = _clean_country(country)
    if not code:
        raise ValidationError({"country": _("Choose a country.")})
    with transaction.atomic():
        obj, created = WatchListCountry.objects.update_or_create(country=code, defaults={"reason": reason.strip()})
        audit_record(
            actor=actor, action="screening.watch_country_add" if created else "screening.watch_country_update",
            obj=obj, extra={"country": code, "reason": obj.reason},
        )  # fmt: skip
    return obj


def watch_country_remove(*, actor: Any, entry: WatchListCountry) -> None:
    require(actor, Perm.SCREENING_CONFIGURE)
    with transaction.atomic():
        audit_record(
            actor=actor, action="screening.watch_country_remove", obj=entry, extra={"country": str(entry.country)}
        )
        entry.delete()


ENTITY_COLUMNS = {
    "name": ("name", "nom", "entity", "entite", "company", "societe", "raison sociale"),
    "country": ("country", "pays"),
    "reason": ("reason", "motif", "raison"),
    "source": ("source", "origine de l information", "list", "liste"),
}


def _entity_header(cells: list[str]) -> dict[str, int]:
    folded = [decl._fold(c) for c in cells]
    mapping: dict[str, int] = {}
    for field, spellings in ENTITY_COLUMNS.items():
        for position, title in enumerate(folded):
            if title in spellings and field not in mapping:
                mapping[field] = position
    return mapping


def watch_entities_upload(
    *, actor: Any, file_name: str, data: bytes, replace: bool = False, source: str = ""
) -> dict[str, Any]:
    """Load watch-list entities from a CSV/XLSX (columns name, country, reason, source; EN/FR).
    Validates every row first; writes all or nothing (bulk). `replace` empties the list first."""
    require(actor, Perm.SCREENING_CONFIGURE)
    try:
        kind, rows = read_table(data)
    except SpreadsheetError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    if not rows:
        raise ValidationError({"file": _("The file is empty.")})
    mapping = _entity_header(rows[0])
    if "name" not in mapping:
        raise ValidationError({"file": _("Columns missing: name. The first row must name the columns.")})
    errors: list[str] = []
    entries: list[WatchListEntity] = []
    now = timezone.now()
    known = dict(country_registry)

    def cell(cells: list[str], field: str) -> str:
        position = mapping.get(field)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    for number, cells in enumerate(rows[1:], start=2):
        name = cell(cells, "name")
        if not name:
            if any(c.strip() for c in cells):
                errors.append(str(_("Row %(row)s: the name is missing.") % {"row": number}))
            continue
        country = cell(cells, "country").upper()
        if country and country not in known:
            errors.append(str(_("Row %(row)s: “%(value)s” is not a country code.") % {"row": number, "value": country}))
            continue
        entries.append(
            WatchListEntity(
                name=name[:300], normalised_name=normalise_name(name)[:300], country=country,
                reason=cell(cells, "reason")[:500], source=(cell(cells, "source") or source)[:200], created_at=now,
            )
        )  # fmt: skip
    if errors:
        raise ValidationError({"file": errors[:50] + ([str(_("…and more."))] if len(errors) > 50 else [])})
    with transaction.atomic():
        removed = 0
        if replace:
            removed = WatchListEntity.objects.count()
            WatchListEntity.objects.all().delete()
        WatchListEntity.objects.bulk_create(entries, batch_size=5000)
        summary = {"file": file_name, "kind": kind, "added": len(entries), "removed": removed, "replace": replace}
        audit_record(actor=actor, action="screening.watch_entities_upload", object_type="screening.watchlistentity",
                     object_repr=file_name, extra=summary)  # fmt: skip
    return summary


def watch_entity_remove(*, actor: Any, entry: WatchListEntity) -> None:
    require(actor, Perm.SCREENING_CONFIGURE)
    with transaction.atomic():
        audit_record(actor=actor, action="screening.watch_entity_remove", obj=entry, extra={"name": entry.name})
        entry.delete()


# --- runs -------------------------------------------------------------------------------------


def _store_upload(chunks: Iterable[bytes]) -> tuple[Path, int]:
    path = runs_dir() / f"{secrets.token_hex(16)}.upload"
    size = 0
    limit = max_upload_bytes()
    with path.open("wb") as fh:
        path.chmod(0o600)
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                fh.close()
                path.unlink(missing_ok=True)
                raise ValidationError(
                    {"file": _("The file is larger than %(size)s MB.") % {"size": limit // (1024 * 1024)}}
                )
            fh.write(chunk)
    return path, size


def run_create(
    *, actor: Any, file_name: str, chunks: Iterable[bytes], min_score: int = 25, enqueue: bool = True
) -> ScreeningRun:
    """Keep the uploaded file (private directory, 0600), check its header, create the run and
    start the background screening after the commit. A file that is not a spreadsheet or lacks
    the required columns is refused here, with the reason."""
    require(actor, Perm.SCREENING_RUN)
    if not 0 <= int(min_score) <= 1000:
        raise ValidationError({"min_score": _("Give a score between 0 and 1000.")})
    path, size = _store_upload(chunks)
    if size == 0:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": _("The file is empty.")})
    try:
        kind = decl.file_kind(path)
        decl.check_header(path)
        total = decl.count_rows(path)
    except SpreadsheetError as exc:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": str(exc)}) from exc
    with transaction.atomic():
        run = ScreeningRun.objects.create(
            created_by=actor, country=user_country(actor), file_name=Path(file_name).name[:255] or "declarations",
            file_kind=kind, file_size=size, file_path=str(path), min_score=int(min_score), total_rows=total,
        )  # fmt: skip
        audit_record(
            actor=actor, action="screening.run_upload", obj=run,
            extra={"file": run.file_name, "kind": kind, "size": size, "rows": total, "min_score": run.min_score},
        )  # fmt: skip
        if enqueue:
            from shieldhub.screening import tasks

            pk = run.pk
            transaction.on_commit(lambda: tasks.screening_run.enqueue(run_id=pk))
    return run


HIT_COLUMNS = (
    "run_id", "line", "reference", "declared_on", "consignor", "consignee", "origin", "destination", "route",
    "hs_code", "description", "kg", "items", "score", "rules", "reasons",
)  # fmt: skip


def _hit_row(run_id: int, result: Result) -> tuple[Any, ...]:
    d = result.declaration
    reasons = [
        {"rule": r.rule, "weight": r.weight, "explanation": r.explanation, "evidence": r.evidence}
        for r in result.reasons
    ]
    return (
        run_id, d.line, d.ref[:100], d.date, d.consignor[:300], d.consignee[:300], d.origin[:2], d.destination[:2],
        " ".join(d.route)[:100], d.hs_code[:12], d.description[:500],
        round(d.kg, 3) if d.kg is not None else None, " ".join(sorted(result.items))[:300],
        min(result.score, 32767), "|" + "|".join(dict.fromkeys(result.rule_codes)) + "|",
        json.dumps(reasons, ensure_ascii=False),
    )  # fmt: skip


def _write_hits(run: ScreeningRun, results: Iterable[Result]) -> int:
    """Insert the hits with one parametrised statement per batch (executemany): a quarter of a
    million hits would spend most of their time in the ORM's per-field preparation otherwise."""
    table = connection.ops.quote_name(ScreeningHit._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in HIT_COLUMNS)
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    placeholders = ", ".join(["%s"] * (len(HIT_COLUMNS) - 1) + [f"%s{json_cast}"])
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (names from the model)
    written = 0
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for result in results:
            batch.append(_hit_row(run.pk, result))
            if len(batch) >= HIT_BATCH:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def _save_history(country: str, tally: dict[tuple[str, str], list[float]]) -> None:
    if not tally:
        return
    now = timezone.now()
    existing = {
        (c, i): (n, t, m)
        for c, i, n, t, m in ConsigneeHistory.objects.filter(country=country).values_list(
            "consignee", "item", "count", "total_kg", "max_kg"
        )
    }
    rows = []
    for (consignee, item), (count, total, max_kg) in tally.items():
        old = existing.get((consignee[:300], item))
        if old:
            count, total, max_kg = count + old[0], total + old[1], max(max_kg, old[2])
        rows.append(ConsigneeHistory(country=country, consignee=consignee[:300], item=item, count=int(count),
                                     total_kg=total, max_kg=max_kg, updated_at=now))  # fmt: skip
    ConsigneeHistory.objects.bulk_create(
        rows, batch_size=5000, update_conflicts=True, unique_fields=["country", "consignee", "item"],
        update_fields=["count", "total_kg", "max_kg", "updated_at"],
    )  # fmt: skip


def _chunks(items: Iterator[Declaration], size: int) -> Iterator[list[Declaration]]:
    chunk: list[Declaration] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- screening a file, in one process or in forked workers ------------------------------------

_FORKED: dict[str, Any] = {}  # what forked workers inherit (the context is built once, before the fork)


def parallel_workers(total_rows: int) -> int:
    """Workers for a file: SCREENING_WORKERS (default: the CPUs, at most 2) from
    SCREENING_PARALLEL_MIN_ROWS rows (default 100,000); 1 below, or where fork is unavailable."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if total_rows < int(getattr(settings, "SCREENING_PARALLEL_MIN_ROWS", 100_000)):
        return 1
    return max(1, int(getattr(settings, "SCREENING_WORKERS", min(2, os.cpu_count() or 1))))


def _screen_part(part: int, parts: int) -> tuple[list[Result], list[int], dict[Any, list[float]], Any]:
    """One worker's share of the file (rows whose number modulo `parts` is `part`): its flagged
    results and the results that carry catalogue goods (for the combinations), its tally and its
    problems. Every worker reads the whole file (the csv module is cheap); it scores only its rows.
    Touches no database (the connections inherited from the parent are left alone)."""
    context, path, counter = _FORKED["context"], _FORKED["path"], _FORKED["counter"]
    screener = Screener(context)
    screener.tally = {}
    rows = decl.file_rows(path)
    reader = decl.DeclarationReader(decl.map_headers(next(rows, [])))
    flagged: dict[int, Result] = {}
    batch: list[Declaration] = []

    def flush() -> None:
        for result in screener.feed(batch):
            flagged[result.declaration.line] = result
        with counter.get_lock():
            counter.value += len(batch)
        batch.clear()

    for number, cells in enumerate(rows, start=2):
        if number % parts != part:
            continue
        found = reader.declaration(cells, number)
        if found is not None:
            batch.append(found)
            if len(batch) >= 5000:
                flush()
    flush()
    out = dict(flagged)
    for result in screener.carriers():
        out.setdefault(result.declaration.line, result)
    return list(out.values()), sorted(flagged), screener.tally, reader.problems


def _screen_parallel(
    run: ScreeningRun, context: Any, path: Path, parts: int
) -> tuple[Screener, dict[int, Result], decl.FileProblems]:
    mp = multiprocessing.get_context("fork")
    counter = mp.Value("q", 0)
    _FORKED.update(context=context, path=path, counter=counter)
    try:
        with ProcessPoolExecutor(max_workers=parts, mp_context=mp) as pool:
            futures = [pool.submit(_screen_part, k, parts) for k in range(parts)]
            pending = set(futures)
            while pending:
                _done, pending = wait(pending, timeout=2.0)
                ScreeningRun.objects.filter(pk=run.pk).update(processed_rows=min(counter.value, run.total_rows))
            parts_out = [f.result() for f in futures]
    finally:
        _FORKED.clear()
    screener = Screener(context)
    screener.tally = {}
    screener.seen = int(counter.value)
    flagged: dict[int, Result] = {}
    problems = decl.FileProblems()
    for results, flagged_lines, tally, part_problems in parts_out:
        by_line = {r.declaration.line: r for r in results}
        for line in flagged_lines:
            flagged[line] = by_line[line]
        screener.adopt(results)
        for key, (count, total, max_kg) in tally.items():
            mine = screener.tally.setdefault(key, [0, 0.0, 0.0])
            mine[0] += count
            mine[1] += total
            mine[2] = max(mine[2], max_kg)
        problems.count += part_problems.count
        problems.errors.extend(part_problems.errors)
    problems.errors.sort(key=lambda e: e.row)
    del problems.errors[decl.MAX_ERRORS :]
    return screener, flagged, problems


def _screen_serial(
    run: ScreeningRun, context: Any, path: Path
) -> tuple[Screener, dict[int, Result], decl.FileProblems]:
    screener = Screener(context)
    screener.tally = {}
    header = next(decl.file_rows(path), None) or []
    reader = decl.DeclarationReader(decl.map_headers(header))
    flagged: dict[int, Result] = {}
    processed = 0
    for chunk in _chunks(decl.read_declarations(path, reader), CHUNK):
        for result in screener.feed(chunk):
            flagged[result.declaration.line] = result
        processed += len(chunk)
        ScreeningRun.objects.filter(pk=run.pk).update(
            processed_rows=processed + reader.problems.count, error_count=reader.problems.count
        )
    return screener, flagged, reader.problems


def run_process(*, run_id: int) -> ScreeningRun | None:
    """Screen a run's file (the background task's body): stream the rows in chunks, record the
    progress after each chunk, keep only the flagged declarations, add the combination reasons
    at the end, write the hits in bulk, learn the consignees' history and delete the upload."""
    claimed = ScreeningRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    run = ScreeningRun.objects.select_related("created_by").get(pk=run_id)
    path = Path(run.file_path)
    try:
        language = getattr(run.created_by, "language", "") or settings.LANGUAGE_CODE
        started = time.perf_counter()
        context = build_context(user=run.created_by, country=run.country, min_score=run.min_score, language=language)
        timings = {"context": time.perf_counter() - started}
        parts = parallel_workers(run.total_rows)
        if parts > 1:
            screener, flagged, problems = _screen_parallel(run, context, path, parts)
        else:
            screener, flagged, problems = _screen_serial(run, context, path)
        processed = screener.seen
        timings["screen"] = time.perf_counter() - started - timings["context"]
        for result in screener.finish():
            if result.score >= max(run.min_score, 1):
                flagged[result.declaration.line] = result
        with transaction.atomic():
            ScreeningHit.objects.filter(run=run).delete()
            _write_hits(run, (flagged[line] for line in sorted(flagged)))
            _save_history(run.country, screener.tally or {})
            timings["write"] = time.perf_counter() - started - timings["context"] - timings["screen"]
            timings = {k: round(v, 2) for k, v in timings.items()}
            run.status = RunStatus.DONE
            run.processed_rows = processed + problems.count
            run.total_rows = max(run.total_rows, run.processed_rows)
            run.flagged_count = len(flagged)
            run.error_count = problems.count
            run.errors = [{"row": e.row, "column": e.column, "message": e.message} for e in problems.errors]
            run.finished_at = timezone.now()
            run.save()
            audit_record(
                actor=None, action="screening.run_finish", obj=run,
                extra={"rows": run.processed_rows, "flagged": len(flagged), "skipped": problems.count,
                       "workers": parts, "seconds": timings},
            )  # fmt: skip
    except Exception as exc:
        ScreeningRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, failure=str(exc)[:2000], finished_at=timezone.now()
        )
        if not isinstance(exc, SpreadsheetError | ValueError):
            raise
        run.refresh_from_db()
        return run
    finally:
        path.unlink(missing_ok=True)  # national data: the file goes once screened; the hits stay
    return run


def run_download_record(*, actor: Any, run: ScreeningRun, fmt: str = "xlsx") -> None:
    with transaction.atomic():
        audit_record(actor=actor, action="screening.run_download", obj=run, extra={"format": fmt})


def run_delete(*, actor: Any, run: ScreeningRun) -> None:
    require(actor, Perm.SCREENING_RUN)
    if run.created_by_id != actor.pk:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    with transaction.atomic():
        audit_record(actor=actor, action="screening.run_delete", obj=run, extra={"file": run.file_name})
        Path(run.file_path).unlink(missing_ok=True)
        run.delete()


def run_may_share(actor: Any, run: ScreeningRun) -> bool:
    """The uploader, or an NCP of the run's country, decides whether the secretariat sees the run."""
    if Perm.SCREENING_RUN not in user_perms(actor):
        return False
    return run.created_by_id == actor.pk or (bool(run.country) and user_country(actor) == run.country)


def run_share(*, actor: Any, run: ScreeningRun, shared: bool = True) -> ScreeningRun:
    """Share a run (its hits and XLSX) with the secretariat's analysts and coordinators (holders of
    `screening.configure`), or withdraw it (`shared=False`). Audited; the withdrawal takes effect at
    once (the selectors read the flag on every request)."""
    if not run_may_share(actor, run):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    with transaction.atomic():
        run = ScreeningRun.objects.select_for_update().get(pk=run.pk)
        if shared == (run.shared_at is not None):
            raise ValidationError(
                {"shared": _("The run is already shared with the secretariat.") if shared
                 else _("The run is not shared with the secretariat.")}
            )  # fmt: skip
        before = snapshot(run, ["shared_at", "shared_by"])
        run.shared_at = timezone.now() if shared else None
        run.shared_by = actor if shared else None
        run.save(update_fields=["shared_at", "shared_by"])
        audit_record(
            actor=actor, action="screening.run_share" if shared else "screening.run_unshare", obj=run,
            changes=diff(before, snapshot(run, ["shared_at", "shared_by"])), extra={"file": run.file_name, "country": run.country},
        )  # fmt: skip
    return run


# --- one declaration, one shipment ------------------------------------------------------------


def score_declarations(*, actor: Any, declarations: list[Declaration]) -> list[Result]:
    """Score a few declarations (ad-hoc API call); every result, score 0 included."""
    require(actor, Perm.SCREENING_RUN)
    context = build_context(user=actor, country=user_country(actor))
    return list(screen(declarations, context))


def shipment_declaration(shipment: Any) -> list[Declaration]:
    """The shipment as declarations, one per goods line (adapter from the shipments app)."""
    route = tuple(str(r.country) for r in shipment.route.all()) if hasattr(shipment, "route") else ()
    consignee = getattr(shipment, "consignee", None) or getattr(shipment, "importer", None)
    exporter = getattr(shipment, "exporter", None)
    out = []
    for line in shipment.lines.all().select_related("catalogue_item"):
        description = line.description or (line.catalogue_item.name_en if line.catalogue_item_id else "")
        out.append(
            Declaration(
                ref=str(getattr(shipment, "national_reference", "") or shipment.pk), line=line.position,
                date=getattr(shipment, "planned_dispatch", None),
                consignor=exporter.name if exporter else "", consignee=consignee.name if consignee else "",
                origin=str(shipment.exporting_country), destination=str(shipment.importing_country), route=route,
                hs_code=line.hs_code or "", description=description,
                quantity=float(line.quantity) if line.quantity is not None else None, unit=line.unit,
                kg=float(line.quantity_kg) if line.quantity_kg is not None else None,
            )
        )  # fmt: skip
    return out


def score_shipment(*, actor: Any, shipment: Any) -> Result:
    """One result for the whole shipment: the reasons of all its lines (each reason once), the
    score their sum. The shipment's own record is left out of the history (no "first shipment"
    because of itself)."""
    context = build_context(user=actor, country=user_country(actor), exclude_shipment=shipment.pk)
    lines = shipment_declaration(shipment)
    merged = Result(lines[0] if lines else Declaration(ref=str(shipment.pk)))
    seen: set[tuple[str, str]] = set()
    items: set[str] = set()
    for result in screen(lines, context):
        items |= result.items
        for reason in result.reasons:
            if (reason.rule, reason.evidence) not in seen and reason.rule not in {r.rule for r in merged.reasons}:
                seen.add((reason.rule, reason.evidence))
                merged.add(reason)
    merged.items = frozenset(items)
    return merged
