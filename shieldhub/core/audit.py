"""The audit log: `audit_record` appends a hash-chained entry; `audit_verify` checks the chain.

Every service calls `audit_record` inside its own `transaction.atomic()`, so an entry exists
exactly when the write it describes was committed.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from shieldhub.core.models import AuditEntry
from shieldhub.core.request_context import current_request_info

GENESIS = "0" * 64
_PG_LOCK_KEY = 0x5348_4155  # "SHAU": serialises appends on PostgreSQL


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, set | frozenset | tuple):
        return sorted(str(v) for v in value)
    if hasattr(value, "code"):  # django-countries Country
        return value.code
    return str(value)


def jsonable(value: Any) -> Any:
    """The value as plain JSON types, exactly as it will be stored and hashed."""
    return json.loads(json.dumps(value, default=_json_default))


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe dict of a model instance's concrete fields (FKs as ids)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        data[field.name] = getattr(instance, field.attname)
    return jsonable(data)


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that differ."""
    before = before or {}
    after = after or {}
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}


def _entry_hash(entry: AuditEntry) -> str:
    payload = {
        "seq": entry.seq,
        "created_at": entry.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "ip_address": entry.ip_address,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "extra": entry.extra,
        "prev_hash": entry.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry. Call inside the transaction of the write being recorded."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    info = current_request_info()
    user = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        last = AuditEntry.objects.order_by("-seq").only("seq", "hash").first()
        entry = AuditEntry(
            seq=(last.seq + 1) if last else 1,
            created_at=timezone.now(),
            actor=user,
            actor_label=(getattr(user, "email", "") if user else (str(actor) if actor else "system"))[:254],
            ip_address=info.ip_address,
            action=action,
            object_type=object_type[:64],
            object_id=str(object_id)[:64],
            object_repr=object_repr[:255],
            changes=jsonable(changes or {}),
            extra=jsonable({"via": info.via, **(extra or {})}),
            prev_hash=last.hash if last else GENESIS,
        )
        entry.hash = _entry_hash(entry)
        entry.save()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""


def audit_verify() -> VerifyResult:
    """Walk the chain in order; report the first entry that was altered, removed or inserted."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"entry #{expected_seq} is missing")
        if entry.prev_hash != prev_hash:
            return VerifyResult(False, checked, entry.seq, f"entry #{entry.seq} does not follow the previous entry")
        if _entry_hash(entry) != entry.hash:
            return VerifyResult(False, checked, entry.seq, f"entry #{entry.seq} was altered")
        prev_hash = entry.hash
        expected_seq += 1
        checked += 1
    return VerifyResult(True, checked)
