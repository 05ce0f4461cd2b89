"""`/api/v1/screening`: rules, watch lists, runs (upload, status, results, XLSX, sharing with the
secretariat), ad-hoc scoring."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from shieldhub.core.api import require_scope
from shieldhub.screening import exports, selectors, services
from shieldhub.screening.engine import Declaration, Result

router = Router(tags=["screening"])


class RuleOut(Schema):
    id: int
    code: str
    name: str
    weight: int
    explanation_en: str
    explanation_fr: str
    parameters: dict[str, Any]
    is_active: bool


class RuleIn(Schema):
    name: str | None = None
    weight: int | None = Field(None, ge=0, le=100)
    explanation_en: str | None = None
    explanation_fr: str | None = None
    parameters: dict[str, Any] | None = None
    is_active: bool | None = None


class CountryOut(Schema):
    country: str
    reason: str

    @staticmethod
    def resolve_country(obj: Any) -> str:
        return str(obj.country)


class CountryIn(Schema):
    country: str
    reason: str = ""


class EntityOut(Schema):
    id: int
    name: str
    country: str
    reason: str
    source: str


class RunOut(Schema):
    id: int
    file_name: str
    file_kind: str
    status: str
    progress: int
    min_score: int
    total_rows: int
    processed_rows: int
    flagged_count: int
    error_count: int
    errors: list[dict[str, Any]]
    failure: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    country: str
    shared_at: dt.datetime | None = Field(
        description="When the run was shared with the secretariat (null: not shared)."
    )


class ReasonOut(Schema):
    rule: str
    weight: int
    explanation: str
    evidence: str


class HitOut(Schema):
    line: int
    reference: str
    declared_on: dt.date | None
    consignor: str
    consignee: str
    origin: str
    destination: str
    route: str
    hs_code: str
    description: str
    kg: float | None
    items: str
    score: int
    reasons: list[ReasonOut]


class DeclarationIn(Schema):
    ref: str = ""
    date: dt.date | None = None
    consignor: str = ""
    consignee: str = ""
    origin: str = ""
    destination: str = ""
    route: list[str] = []
    hs_code: str = ""
    description: str = ""
    quantity: float | None = Field(None, ge=0)
    unit: str = "kg"
    value: float | None = None


class ScoreOut(Schema):
    ref: str
    score: int
    items: list[str]
    kg: float | None
    reasons: list[ReasonOut]


def _score_out(result: Result) -> dict[str, Any]:
    d = result.declaration
    return {
        "ref": d.ref, "score": result.score, "items": sorted(result.items), "kg": d.kg,
        "reasons": [{"rule": r.rule, "weight": r.weight, "explanation": r.explanation, "evidence": r.evidence}
                    for r in result.reasons],
    }  # fmt: skip


@router.get("/rules", response=list[RuleOut])
def rule_list(request: HttpRequest) -> Any:
    return list(selectors.rule_list(user=request.user))


@router.patch("/rules/{rule_id}", response=RuleOut)
def rule_update(request: HttpRequest, rule_id: int, payload: RuleIn) -> Any:
    require_scope(request, "write")
    rule = selectors.rule_get(user=request.user, pk=rule_id)
    return services.rule_update(actor=request.user, rule=rule, data=payload.dict(exclude_none=True))


@router.get("/watch-list/countries", response=list[CountryOut])
def watch_countries(request: HttpRequest) -> Any:
    return list(selectors.watch_countries(user=request.user))


@router.post("/watch-list/countries", response={201: CountryOut})
def watch_country_add(request: HttpRequest, payload: CountryIn) -> Any:
    require_scope(request, "write")
    return Status(201, services.watch_country_add(actor=request.user, country=payload.country, reason=payload.reason))


@router.get("/watch-list/entities", response=list[EntityOut])
@paginate(PageNumberPagination, page_size=100)
def watch_entities(request: HttpRequest, q: str = "") -> Any:
    return selectors.watch_entities(user=request.user, q=q)


@router.post("/watch-list/entities", response={201: dict[str, Any]})
def watch_entities_upload(
    request: HttpRequest, file: File[UploadedFile], replace: Form[bool] = False, source: Form[str] = ""
) -> Any:
    require_scope(request, "write")
    summary = services.watch_entities_upload(
        actor=request.user, file_name=file.name or "entities", data=file.read(), replace=replace, source=source
    )
    return Status(201, summary)


@router.get("/runs", response=list[RunOut])
@paginate(PageNumberPagination, page_size=50)
def run_list(request: HttpRequest) -> Any:
    return selectors.run_list(user=request.user)


@router.post("/runs", response={201: RunOut})
def run_create(request: HttpRequest, file: File[UploadedFile], min_score: Form[int] = 25) -> Any:
    require_scope(request, "write")
    run = services.run_create(
        actor=request.user, file_name=file.name or "declarations", chunks=file.chunks(), min_score=min_score
    )
    return Status(201, selectors.run_get(user=request.user, pk=run.pk))


@router.get("/runs/{run_id}", response=RunOut)
def run_get(request: HttpRequest, run_id: int) -> Any:
    return selectors.run_get(user=request.user, pk=run_id)


@router.post("/runs/{run_id}/share", response=RunOut)
def run_share(request: HttpRequest, run_id: int) -> Any:
    """Share the run (its results and XLSX) with the secretariat's analysts and coordinators
    (`screening.configure`): by the uploader or an NCP of the run's country. Audited."""
    require_scope(request, "write")
    run = selectors.run_get(user=request.user, pk=run_id)
    services.run_share(actor=request.user, run=run, shared=True)
    return selectors.run_get(user=request.user, pk=run_id)


@router.delete("/runs/{run_id}/share", response=RunOut)
def run_unshare(request: HttpRequest, run_id: int) -> Any:
    """Withdraw the sharing: the secretariat no longer sees the run (unless it uploaded it)."""
    require_scope(request, "write")
    run = selectors.run_get(user=request.user, pk=run_id)
    return services.run_share(actor=request.user, run=run, shared=False)


@router.get("/runs/{run_id}/results", response=list[HitOut])
@paginate(PageNumberPagination, page_size=100)
def run_results(request: HttpRequest, run_id: int, rule: str = "", sort: str = "score") -> Any:
    run = selectors.run_get(user=request.user, pk=run_id)
    return selectors.run_hits(user=request.user, run=run, rule=rule, sort=sort)


@router.get("/runs/{run_id}/results.xlsx")
def run_results_xlsx(request: HttpRequest, run_id: int, rule: str = "") -> HttpResponse:
    run = selectors.run_get(user=request.user, pk=run_id)
    data = exports.hits_xlsx(run, selectors.run_hits(user=request.user, run=run, rule=rule))
    services.run_download_record(actor=request.user, run=run)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, exports.file_name(run)) or ""
    return response


@router.post("/score", response=list[ScoreOut])
def score(request: HttpRequest, payload: list[DeclarationIn]) -> Any:
    """Score up to 100 declarations (no file, nothing stored); combinations are judged across them."""
    from ninja.errors import HttpError

    if len(payload) > 100:
        raise HttpError(422, "At most 100 declarations per call.")
    declarations = [
        Declaration(
            ref=d.ref or str(n),
            line=n,
            date=d.date,
            consignor=d.consignor,
            consignee=d.consignee,
            origin=d.origin.upper()[:2],
            destination=d.destination.upper()[:2],
            route=tuple(c.upper()[:2] for c in d.route),
            hs_code=d.hs_code,
            description=d.description,
            quantity=d.quantity,
            unit=d.unit,
            value=d.value,
        )
        for n, d in enumerate(payload, start=1)
    ]
    return [_score_out(r) for r in services.score_declarations(actor=request.user, declarations=declarations)]
