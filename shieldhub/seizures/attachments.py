"""Photos and documents of seizure records.

- **Pipeline**: `shieldhub.core.files` (checked by content, size-limited, photos re-encoded without
  EXIF/GPS with a thumbnail), stored by SHA-256 under ``SEIZURE_ATTACHMENTS_DIR`` (default
  ``<data dir>/seizure-attachments``), outside the web root.
- **Who sees them**: whoever may see the record's detail — `incidents_visible_q` and
  `incident_detail_visible` — so a withdrawn record's files are hidden from its recipients like its
  narrative. Anyone else gets a 404, for the file and the thumbnail alike.
- **Who adds or removes them**: the record's reporting side (`incident_is_reporting_side`: the
  author, the reporting country's NCPs, the analyst), on a draft or a submitted record, not on a
  withdrawn one.
- **Audit**: every upload, download (not each thumbnail) and removal.
- **Cleanup**: stored files no row refers to any more (after a removal or a deleted draft), hourly.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from shieldhub.core import attachments as core_attachments
from shieldhub.core import files
from shieldhub.core.access import incident_detail_visible, incident_is_reporting_side
from shieldhub.core.audit import audit_record
from shieldhub.core.scheduling import periodic
from shieldhub.seizures.choices import IncidentStatus
from shieldhub.seizures.models import Incident, IncidentAttachment

MAX_PER_INCIDENT = 50
FIELD = "file"


STORE = files.FileStore(
    "SEIZURE_ATTACHMENTS_DIR",
    default=lambda: Path(settings.DATA_DIR) / "seizure-attachments",
    references=files.references_in(IncidentAttachment),
)


# --- selectors -----------------------------------------------------------------------------------


def attachments_for_incident(*, user: Any, incident: Incident) -> list[IncidentAttachment]:
    """The photos and documents of a record the user sees (none when its detail is hidden)."""
    from shieldhub.seizures.selectors import incident_get

    incident = incident_get(user=user, pk=incident.pk)
    if not incident_detail_visible(user, incident):
        return []
    return list(IncidentAttachment.objects.filter(incident=incident).select_related("uploaded_by").order_by("pk"))


def attachment_get(*, user: Any, pk: Any, incident_id: Any = None) -> IncidentAttachment:
    """One photo or document, if the user may see its record's detail; 404 otherwise."""
    from shieldhub.seizures.selectors import incident_get

    try:
        attachment = IncidentAttachment.objects.get(pk=int(pk))
    except (IncidentAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if incident_id is not None and str(attachment.incident_id) != str(incident_id):
        raise Http404
    incident = incident_get(user=user, pk=attachment.incident_id)
    if not incident_detail_visible(user, incident):
        raise Http404
    attachment.incident = incident
    return attachment


def can_add(user: Any, incident: Incident) -> bool:
    """Whether the user may add (or remove) photos and documents of this record."""
    return incident.status != IncidentStatus.WITHDRAWN and incident_is_reporting_side(user, incident)


# --- services ------------------------------------------------------------------------------------


def attachment_add(*, actor: Any, incident: Incident, file: Any, caption: str = "") -> IncidentAttachment:
    """Check, clean and store a file, and attach it to the record; audited."""
    from shieldhub.seizures.selectors import incident_get

    incident = incident_get(user=actor, pk=incident.pk)
    if not can_add(actor, incident):
        raise PermissionDenied
    if IncidentAttachment.objects.filter(incident=incident).count() >= MAX_PER_INCIDENT:
        raise ValidationError(
            {FIELD: [_("A record holds at most %(count)s photos and documents.") % {"count": MAX_PER_INCIDENT}]}
        )
    stored = files.process_upload(file, store=STORE, field=FIELD)
    with transaction.atomic():
        attachment = IncidentAttachment(
            incident=incident, caption=files.clean_caption(caption), uploaded_by=actor, **stored.row_fields()
        )
        attachment.full_clean()
        attachment.save()
        audit_record(
            actor=actor,
            action="seizures.attachment_add",
            obj=incident,
            extra={"attachment": attachment.pk, "name": attachment.original_name, **stored.audit_extra()},
        )
    return attachment


@transaction.atomic
def attachment_delete(*, actor: Any, attachment: IncidentAttachment) -> None:
    """The reporting side removes a photo or document (the stored file goes with the next cleanup)."""
    attachment = attachment_get(user=actor, pk=attachment.pk)
    if not can_add(actor, attachment.incident):
        raise PermissionDenied
    audit_record(
        actor=actor,
        action="seizures.attachment_delete",
        obj=attachment.incident,
        extra={"attachment": attachment.pk, "name": attachment.original_name, "sha256": attachment.sha256},
    )
    attachment.delete()


def attachment_download(
    *, actor: Any, attachment: IncidentAttachment, thumbnail: bool = False, inline: bool = True
) -> Any:
    """The stored file as a response, access-checked again; the download of a file is audited."""
    attachment = attachment_get(user=actor, pk=attachment.pk)
    return core_attachments.audited_file_response(
        STORE,
        attachment,
        actor=actor,
        action="seizures.attachment_download",
        obj=attachment.incident,
        extra={"attachment": attachment.pk, "sha256": attachment.sha256},
        thumbnail=thumbnail,
        inline=inline,
        log_label=f"Seizure attachment {attachment.pk}",
    )


# --- cleanup -------------------------------------------------------------------------------------


def attachments_cleanup(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete stored files that no row refers to any more (idempotent)."""
    return {"files": STORE.delete_orphans(now=now or timezone.now())}


@periodic("seizures.attachments_cleanup", every=dt.timedelta(hours=1))
@task()
def attachments_cleanup_task() -> dict[str, int]:
    """Hourly: idempotent (what is gone stays gone)."""
    return attachments_cleanup()
