"""Training records: who was trained, when, on what and by which trainer — the figures for the
Programme's indicators (per country, agency and gender).

A record is written when a training's certificate is issued (`training_record_for_certificate`) or
by hand for a training held outside the hub (`training_record_create`). Seen by holders of
`events.training_records` (the secretariat) only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django_countries import countries as country_registry

from shieldhub.accounts.choices import Role
from shieldhub.core.access import Perm, require
from shieldhub.core.audit import audit_record, snapshot
from shieldhub.core.spreadsheets import write_xlsx
from shieldhub.events.choices import Gender
from shieldhub.events.models import Event, Registration, TrainingRecord

FILTER_KEYS = ("after", "before", "country", "gender", "topic")
MANUAL_FIELDS = ("full_name", "country", "agency", "gender", "topic", "trained_on", "trainer")


def training_record_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[TrainingRecord]:
    require(user, Perm.TRAINING_RECORDS, hide=True)
    filters = filters or {}
    qs = TrainingRecord.objects.select_related("event")
    if filters.get("after"):
        qs = qs.filter(trained_on__gte=filters["after"])
    if filters.get("before"):
        qs = qs.filter(trained_on__lte=filters["before"])
    if filters.get("country"):
        qs = qs.filter(country=str(filters["country"]).upper())
    if filters.get("gender"):
        qs = qs.filter(gender=filters["gender"])
    for word in str(filters.get("topic") or "").split():
        qs = qs.filter(Q(topic__icontains=word))
    return qs.order_by("-trained_on", "full_name", "pk")


def training_totals(qs: QuerySet[TrainingRecord]) -> dict[str, Any]:
    """Totals of a filtered list: overall, per country, per agency, per gender (SQL aggregates)."""
    base = qs.order_by()
    by_country = list(base.values("country").annotate(n=Count("pk")).order_by("-n", "country"))
    by_agency = list(base.values("agency").annotate(n=Count("pk")).order_by("-n", "agency"))
    by_gender = list(base.values("gender").annotate(n=Count("pk")).order_by("-n", "gender"))
    genders = dict(Gender.choices)
    for row in by_country:
        row["name"] = country_registry.name(row["country"]) or row["country"]
    for row in by_gender:
        row["label"] = genders.get(row["gender"], "") or _("Not given")
    return {
        "total": sum(r["n"] for r in by_country),
        "by_country": by_country,
        "by_agency": by_agency,
        "by_gender": by_gender,
        "gender": {r["gender"] or "": r["n"] for r in by_gender},
    }


def trainers_of(event: Event) -> tuple[str, Any]:
    """The event's trainers: organisers with the trainer role (names joined, first account) or,
    failing that, all organisers."""
    organisers = list(event.organisers.all().order_by("full_name", "pk"))
    trainer_ids = set(
        get_user_model()
        .objects.filter(pk__in=[u.pk for u in organisers], role_grants__role=Role.TRAINER)
        .values_list("pk", flat=True)
    )
    trainers = [u for u in organisers if u.pk in trainer_ids] or organisers
    names = ", ".join(str(getattr(u, "full_name", "") or u.email) for u in trainers)
    return names[:200], (trainers[0] if trainers else None)


def training_record_for_certificate(*, actor: Any, registration: Registration, trained_on: dt.date) -> TrainingRecord:
    """Write (or refresh) the training record of a participant whose certificate is issued.
    Called inside the certificate service's transaction."""
    event = registration.event
    trainer, trainer_user = trainers_of(event)
    record, _created = TrainingRecord.objects.update_or_create(
        registration=registration,
        defaults={
            "event": event,
            "person": registration.person,
            "full_name": registration.full_name[:200],
            "country": registration.country,
            "agency": registration.organisation_name,
            "gender": registration.gender,
            "topic": (event.training_topic or event.title_en)[:255],
            "trained_on": trained_on,
            "trainer": trainer,
            "trainer_user": trainer_user,
            "created_by": actor,
        },
    )
    audit_record(actor=actor, action="events.training_record_write", obj=record, extra={"event": event.pk})
    return record


def training_record_create(*, actor: Any, data: dict[str, Any]) -> TrainingRecord:
    """A training held outside the hub, entered by hand."""
    require(actor, Perm.TRAINING_RECORDS)
    unknown = set(data) - set(MANUAL_FIELDS)
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    record = TrainingRecord(created_by=actor, **{k: ("" if v is None else v) for k, v in data.items()})
    if isinstance(record.country, str):
        record.country = record.country.upper()
    record.full_clean(exclude=["created_by"])
    with transaction.atomic():
        record.save()
        audit_record(actor=actor, action="events.training_record_create", obj=record, changes={"new": snapshot(record)})
    return record


def training_records_xlsx(*, user: Any, filters: dict[str, Any] | None = None) -> bytes:
    qs = training_record_list(user=user, filters=filters)
    headers = [
        str(h)
        for h in (
            _("Trained on"), _("Name"), _("Country"), _("Agency"), _("Gender"), _("Topic"), _("Trainer"),
            _("Training"),
        )
    ]  # fmt: skip
    rows = [
        [
            r.trained_on,
            r.full_name,
            r.country.name,
            r.agency,
            r.get_gender_display(),
            r.topic,
            r.trainer,
            r.event.title if r.event else "",
        ]
        for r in qs.iterator(chunk_size=2000)
    ]
    data = write_xlsx(rows, headers, sheet_title=str(_("Training records")))
    with transaction.atomic():
        audit_record(
            actor=user,
            action="events.training_records_export",
            object_type="events.trainingrecord",
            extra={"rows": len(rows), "filters": {k: str(v) for k, v in (filters or {}).items() if v}},
        )
    return data
