"""`/api/v1/seizures/imports`: upload a file (the validation report comes back), follow the commit,
commit. The same functions as the pages; a batch is visible to its importer only (404 otherwise)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from shieldhub.core.access import Perm, require
from shieldhub.core.api import require_scope
from shieldhub.exchange.services import Distribution
from shieldhub.seizures import imports
from shieldhub.seizures.models_import import ImportBatch

import_router = Router(tags=["seizures"])


class ImportErrorOut(Schema):
    row: int
    column: str
    label: str
    message: str


class ImportBatchOut(Schema):
    id: int
    file_name: str
    status: str
    total_rows: int
    record_count: int
    error_count: int
    errors: list[ImportErrorOut] = Field(description="The first errors, by row and column, in the caller's language.")
    duplicates: list[dict[str, Any]] = Field(description="Possible duplicates; `key` is what the commit's choices use.")
    ignored_columns: list[str]
    progress: int = Field(description="Records written so far.")
    percent: int
    created_count: int
    skipped_count: int
    created_ids: list[int]

    @staticmethod
    def resolve_errors(obj: ImportBatch) -> list[dict[str, Any]]:
        return [imports.render_error(e) for e in obj.errors[:1000]]

    @staticmethod
    def resolve_progress(obj: ImportBatch) -> int:
        return imports.progress_of(obj)

    @staticmethod
    def resolve_percent(obj: ImportBatch) -> int:
        return imports.progress_percent(obj)


class CommitIn(Schema):
    choices: dict[str, str] = Field(
        default_factory=dict, description="Duplicate key → import or skip (a duplicate not listed is skipped)."
    )


@import_router.post("/imports", response={201: ImportBatchOut})
def import_create(request: HttpRequest, file: File[UploadedFile]) -> Any:
    require_scope(request, "write")
    require(request.user, Perm.SEIZURE_IMPORT)
    try:
        batch = imports.import_upload(
            actor=request.user, file_name=file.name or "upload", data=file.read(settings.UPLOAD_MAX_BYTES + 1)
        )
    except imports.ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from None
    return Status(201, batch)


@import_router.get("/imports/{batch_id}", response=ImportBatchOut)
def import_get(request: HttpRequest, batch_id: int) -> Any:
    return imports.batch_get(user=request.user, pk=batch_id)


@import_router.post("/imports/{batch_id}/commit", response={202: ImportBatchOut})
def import_commit(request: HttpRequest, batch_id: int, payload: CommitIn) -> Any:
    require_scope(request, "write")
    batch = imports.batch_get(user=request.user, pk=batch_id)
    imports.import_commit_request(actor=request.user, batch=batch, choices=payload.choices)
    return Status(202, imports.batch_get(user=request.user, pk=batch_id))


class ImportDistributionIn(Schema):
    communities: list[int] = Field(default_factory=list, description="Community ids.")
    countries: list[str] = Field(default_factory=list, description="ISO codes: the countries' active NCPs.")
    users: list[int] = Field(default_factory=list, description="User ids.")


class ImportSubmitIn(Schema):
    distribution: ImportDistributionIn = Field(default_factory=ImportDistributionIn)
    releasable_interpol: bool | None = None
    releasable_unodc: bool | None = None


class ImportSubmitOut(Schema):
    id: int
    submitted_ids: list[int] = Field(description="The records submitted (the batch's drafts the caller could see).")


@import_router.post("/imports/{batch_id}/submit", response=ImportSubmitOut)
def import_submit(request: HttpRequest, batch_id: int, payload: ImportSubmitIn) -> Any:
    """Submit every record of a committed import still in draft, with one distribution (all or none)."""
    require_scope(request, "write")
    batch = imports.batch_get(user=request.user, pk=batch_id)
    d = payload.distribution
    data = {k: v for k, v in payload.dict().items() if k.startswith("releasable_") and v is not None}
    ids = imports.import_submit(
        actor=request.user, batch=batch,
        distribution=Distribution(communities=d.communities, countries=d.countries, users=d.users), data=data,
    )  # fmt: skip
    return {"id": batch.pk, "submitted_ids": ids}
