"""Documents of licit shipments: invoice, safety data sheet, end-user certificate, licence, other.

- **Pipeline**: `shieldhub.core.files` (checked by content, size-limited, photos re-encoded without
  EXIF/GPS with a thumbnail), stored by SHA-256 under ``SHIPMENT_DOCUMENTS_DIR`` (default
  ``<data dir>/shipment-documents``), outside the web root.
- **Who sees them**: whoever may see the shipment (`shipments_visible_q`: the exporting side; the
  importing country's NCPs once notified; `shipments.view_all`). Anyone else gets a 404.
- **Who adds or removes them**: the exporting side (`shipment_is_exporting_side`), not on a
  withdrawn shipment.
- **Audit**: every upload, download (not each thumbnail) and removal.
- **Cleanup**: stored files no row refers to any more, hourly.
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
from shieldhub.core.access import shipment_is_exporting_side
from shieldhub.core.audit import audit_record
from shieldhub.core.scheduling import periodic
from shieldhub.shipments.choices import DocumentType, ShipmentStatus
from shieldhub.shipments.models import Shipment, ShipmentDocument

MAX_PER_SHIPMENT = 30
FIELD = "file"


STORE = files.FileStore(
    "SHIPMENT_DOCUMENTS_DIR",
    default=lambda: Path(settings.DATA_DIR) / "shipment-documents",
    references=files.references_in(ShipmentDocument),
)


# --- selectors -----------------------------------------------------------------------------------


def documents_for_shipment(*, user: Any, shipment: Shipment) -> list[ShipmentDocument]:
    """The documents of a shipment the user sees (404 when it may not)."""
    from shieldhub.shipments.selectors import shipment_get

    shipment = shipment_get(user=user, pk=shipment.pk)
    return list(ShipmentDocument.objects.filter(shipment=shipment).select_related("uploaded_by").order_by("pk"))


def document_get(*, user: Any, pk: Any, shipment_id: Any = None) -> ShipmentDocument:
    """One document, if the user may see its shipment; 404 otherwise."""
    from shieldhub.shipments.selectors import shipment_get

    try:
        document = ShipmentDocument.objects.get(pk=int(pk))
    except (ShipmentDocument.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if shipment_id is not None and str(document.shipment_id) != str(shipment_id):
        raise Http404
    document.shipment = shipment_get(user=user, pk=document.shipment_id)
    return document


def can_add(user: Any, shipment: Shipment) -> bool:
    """Whether the user may add (or remove) documents of this shipment."""
    return shipment.status != ShipmentStatus.WITHDRAWN and shipment_is_exporting_side(user, shipment)


# --- services ------------------------------------------------------------------------------------


def document_add(
    *, actor: Any, shipment: Shipment, file: Any, document_type: str = DocumentType.OTHER, caption: str = ""
) -> ShipmentDocument:
    """Check, clean and store a file, and attach it to the shipment; audited."""
    from shieldhub.shipments.selectors import shipment_get

    shipment = shipment_get(user=actor, pk=shipment.pk)
    if not can_add(actor, shipment):
        raise PermissionDenied
    if document_type not in DocumentType.values:
        raise ValidationError({"document_type": [_("Choose the kind of document.")]})
    if ShipmentDocument.objects.filter(shipment=shipment).count() >= MAX_PER_SHIPMENT:
        raise ValidationError(
            {FIELD: [_("A shipment holds at most %(count)s documents.") % {"count": MAX_PER_SHIPMENT}]}
        )
    stored = files.process_upload(file, store=STORE, field=FIELD)
    with transaction.atomic():
        document = ShipmentDocument(
            shipment=shipment,
            document_type=document_type,
            caption=files.clean_caption(caption),
            uploaded_by=actor,
            **stored.row_fields(),
        )
        document.full_clean()
        document.save()
        extra = {"document": document.pk, "document_type": document_type, "name": document.original_name}
        extra.update(stored.audit_extra())
        del extra["uploaded_size"]  # as shipments have always recorded it
        audit_record(actor=actor, action="shipments.document_add", obj=shipment, extra=extra)
    return document


@transaction.atomic
def document_delete(*, actor: Any, document: ShipmentDocument) -> None:
    """The exporting side removes a document (the stored file goes with the next cleanup)."""
    document = document_get(user=actor, pk=document.pk)
    if not can_add(actor, document.shipment):
        raise PermissionDenied
    audit_record(
        actor=actor,
        action="shipments.document_delete",
        obj=document.shipment,
        extra={"document": document.pk, "name": document.original_name, "sha256": document.sha256},
    )
    document.delete()


def document_download(*, actor: Any, document: ShipmentDocument, thumbnail: bool = False, inline: bool = True) -> Any:
    """The stored file as a response, access-checked again; the download of a file is audited."""
    document = document_get(user=actor, pk=document.pk)
    return core_attachments.audited_file_response(
        STORE,
        document,
        actor=actor,
        action="shipments.document_download",
        obj=document.shipment,
        extra={"document": document.pk, "sha256": document.sha256},
        thumbnail=thumbnail,
        inline=inline,
        log_label=f"Shipment document {document.pk}",
    )


# --- cleanup -------------------------------------------------------------------------------------


def documents_cleanup(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete stored files that no row refers to any more (idempotent)."""
    return {"files": STORE.delete_orphans(now=now or timezone.now())}


@periodic("shipments.documents_cleanup", every=dt.timedelta(hours=1))
@task()
def documents_cleanup_task() -> dict[str, int]:
    """Hourly: idempotent (what is gone stays gone)."""
    return documents_cleanup()
