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
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from shieldhub.core import files
from shieldhub.core.access import shipment_is_exporting_side
from shieldhub.core.audit import audit_record
from shieldhub.core.scheduling import periodic
from shieldhub.exchange.choices import AttachmentKind
from shieldhub.shipments.choices import DocumentType, ShipmentStatus
from shieldhub.shipments.models import Shipment, ShipmentDocument

MAX_PER_SHIPMENT = 30
FIELD = "file"


def _references(names: list[str]) -> set[str]:
    used = ShipmentDocument.objects.filter(Q(storage_name__in=names) | Q(thumbnail_name__in=names)).values_list(
        "storage_name", "thumbnail_name"
    )
    return {name for pair in used for name in pair}


STORE = files.FileStore(
    "SHIPMENT_DOCUMENTS_DIR",
    default=lambda: Path(settings.DATA_DIR) / "shipment-documents",
    references=_references,
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


def decorate(items: list[ShipmentDocument]) -> list[ShipmentDocument]:
    for item in items:
        item.type_label = files.type_label(item.content_type)  # type: ignore[attr-defined]
        item.ext_label = files.EXTENSIONS.get(item.content_type, (".",))[0][1:].upper()  # type: ignore[attr-defined]
        item.thumb_width, item.thumb_height = files.thumbnail_size(item.width, item.height)  # type: ignore[attr-defined]
    return items


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
            kind=stored.kind,
            caption=" ".join(str(caption or "").split())[:300],
            original_name=stored.original_name,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_name=stored.storage_name,
            thumbnail_name=stored.thumbnail_name,
            width=stored.width,
            height=stored.height,
            uploaded_by=actor,
        )
        document.full_clean()
        document.save()
        audit_record(
            actor=actor,
            action="shipments.document_add",
            obj=shipment,
            extra={
                "document": document.pk,
                "document_type": document_type,
                "name": document.original_name,
                "content_type": stored.content_type,
                "size": stored.size,
                "sha256": stored.sha256,
                "uploaded_sha256": stored.uploaded_sha256,
                "browser_content_type": stored.browser_content_type,
                "metadata_removed": stored.metadata_removed,
            },
        )
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
    if thumbnail:
        if not document.thumbnail_name:
            raise Http404
        name, content_type, as_attachment = document.thumbnail_name, files.JPEG, False
        filename = os.path.splitext(document.original_name)[0] + "-thumbnail.jpg"
    else:
        name, content_type, filename = document.storage_name, document.content_type, document.original_name
        as_attachment = not (inline and document.kind == AttachmentKind.IMAGE)
    handle = files.open_stored(STORE, name, log_label=f"Shipment document {document.pk}")
    if not thumbnail:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="shipments.document_download",
                obj=document.shipment,
                extra={"document": document.pk, "sha256": document.sha256, "inline": not as_attachment},
            )
    return files.file_response(handle, content_type=content_type, filename=filename, as_attachment=as_attachment)


# --- cleanup -------------------------------------------------------------------------------------


def documents_cleanup(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete stored files that no row refers to any more (idempotent)."""
    return {"files": STORE.delete_orphans(now=now or timezone.now())}


@periodic("shipments.documents_cleanup", every=dt.timedelta(hours=1))
@task()
def documents_cleanup_task() -> dict[str, int]:
    """Hourly: idempotent (what is gone stays gone)."""
    return documents_cleanup()
