"""`/api/v1/reference`: countries, WCO regions, HS 2022, the PGS catalogue, currencies, unit conversion."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from shieldhub.core.access import Perm, require
from shieldhub.core.api import require_scope
from shieldhub.reference import selectors, services
from shieldhub.reference.models import CatalogueItem, Country, HsCode, WcoRegion
from shieldhub.reference.text import hs_display
from shieldhub.reference.units import Dimension, Unit, normalise_unit, to_kg

router = Router(tags=["reference"])
PAGE_SIZE = 50


# --- schemas ----------------------------------------------------------------------------------


class RegionOut(Schema):
    code: str
    name_en: str
    name_fr: str


class CountryOut(Schema):
    code: str = Field(description="ISO 3166-1 alpha-2 (XK for Kosovo, EU for the European Union)")
    iso3: str
    numeric: str = Field(description="ISO 3166-1 numeric, three digits; empty when none")
    name_en: str
    name_fr: str
    wco_member: bool
    wco_region: str | None = Field(description="WCO region code")
    member_status: str

    @staticmethod
    def resolve_numeric(obj: Country) -> str:
        return obj.numeric_code

    @staticmethod
    def resolve_wco_region(obj: Country) -> str | None:
        return obj.wco_region_id


class CountryDetailOut(CountryOut):
    region: RegionOut | None

    @staticmethod
    def resolve_region(obj: Country) -> WcoRegion | None:
        return obj.wco_region


class HsOut(Schema):
    code: str = Field(description="Digits only, for example 282911")
    display_code: str = Field(description="As written, for example 2829.11")
    description: str
    level: int = Field(description="2 chapter, 4 heading, 6 subheading")
    parent: str | None
    section: str

    @staticmethod
    def resolve_parent(obj: HsCode) -> str | None:
        return obj.parent_id

    @staticmethod
    def resolve_section(obj: HsCode) -> str:
        return obj.section_id


class CatalogueRef(Schema):
    code: str
    name_en: str
    name_fr: str


class HsDetailOut(Schema):
    code: str
    display_code: str
    description: str
    level: int
    parent: str | None
    section: str
    section_name: str
    ancestors: list[HsOut]
    children: list[HsOut]
    catalogue_items: list[CatalogueRef]


class CatalogueOut(Schema):
    code: str
    category: str
    name_en: str
    name_fr: str
    formula: str
    cas: str
    un_numbers: list[str]
    hs_codes: list[str]
    eu_annex: str
    eu_limit: str
    synonyms_en: list[str]
    synonyms_fr: list[str]
    synonyms_es: list[str]
    density_kg_per_l: Decimal | None
    notes: str
    is_active: bool
    updated_at: dt.datetime


class CatalogueIn(Schema):
    """Every field optional: only those sent are changed. Lists replace the stored list."""

    category: str | None = None
    name_en: str | None = None
    name_fr: str | None = None
    formula: str | None = None
    cas: str | None = None
    un_numbers: list[str] | None = None
    hs_codes: list[str] | None = Field(None, description="Six-digit codes; dots allowed (2829.11)")
    eu_annex: str | None = None
    eu_limit: str | None = None
    synonyms_en: list[str] | None = None
    synonyms_fr: list[str] | None = None
    synonyms_es: list[str] | None = None
    density_kg_per_l: Decimal | None = None
    notes: str | None = None
    is_active: bool | None = None


class CurrencyOut(Schema):
    code: str
    name: str
    name_fr: str
    numeric: str
    minor_unit: int


class UnitOut(Schema):
    symbol: str
    dimension: str
    factor: Decimal = Field(description="kg per unit (mass), L per unit (volume), 1 for pieces")


class ConvertOut(Schema):
    quantity: Decimal
    unit: str = Field(description="The unit understood, as a symbol")
    dimension: str
    density_kg_per_l: Decimal | None = Field(description="The density used (given, or the catalogue item's)")
    kg: Decimal | None = Field(description="Null for pieces, which have no mass")


# --- endpoints --------------------------------------------------------------------------------


@router.get("/regions", response=list[RegionOut], summary="The six WCO regions")
def regions(request: HttpRequest) -> Any:
    return selectors.region_list(user=request.user)


@router.get("/countries", response=list[CountryOut], summary="Countries, with WCO membership and region")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def countries(request: HttpRequest, q: str = "", region: str = "", wco_member: bool | None = None) -> Any:
    return selectors.country_list(user=request.user, region=region, wco_member=wco_member, q=q)


@router.get("/countries/{code}", response=CountryDetailOut, summary="One country")
def country(request: HttpRequest, code: str) -> Any:
    return selectors.country_get(user=request.user, code=code)


@router.get("/hs", response=list[HsOut], summary="Search HS 2022 by code prefix or words")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def hs_search(request: HttpRequest, q: str = "") -> Any:
    return selectors.hs_search(user=request.user, q=q, limit=None)


@router.get("/hs/{code}", response=HsDetailOut, summary="One HS code with its parents and children")
def hs_detail(request: HttpRequest, code: str) -> Any:
    detail = selectors.hs_get(user=request.user, code=code)
    hs = detail.code
    return {
        "code": hs.code,
        "display_code": hs_display(hs.code),
        "description": hs.description,
        "level": hs.level,
        "parent": hs.parent_id,
        "section": hs.section_id,
        "section_name": hs.section.name,
        "ancestors": detail.ancestors,
        "children": detail.children,
        "catalogue_items": detail.catalogue_items,
    }


@router.get("/catalogue", response=list[CatalogueOut], summary="The PGS catalogue")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def catalogue(request: HttpRequest, q: str = "", category: str = "") -> Any:
    return selectors.catalogue_list(user=request.user, q=q, category=category)


@router.get("/catalogue/{code}", response=CatalogueOut, summary="One catalogue item")
def catalogue_item(request: HttpRequest, code: str) -> Any:
    return selectors.catalogue_get(user=request.user, code=code)


@router.patch("/catalogue/{code}", response=CatalogueOut, summary="Change a catalogue item (analysts)")
def catalogue_item_patch(request: HttpRequest, code: str, payload: CatalogueIn) -> Any:
    require_scope(request, "write")
    item: CatalogueItem = selectors.catalogue_get(user=request.user, code=code)
    data = payload.dict(exclude_unset=True)
    return services.catalogue_item_update(actor=request.user, item=item, data=data)


@router.get("/currencies", response=list[CurrencyOut], summary="ISO 4217 currencies")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def currencies(request: HttpRequest, q: str = "") -> Any:
    return selectors.currency_list(user=request.user, q=q)


@router.get("/units", response=list[UnitOut], summary="The units understood by the converter")
def units(request: HttpRequest) -> Any:
    require(request.user, Perm.REFERENCE_VIEW)
    return [{"symbol": u.value, "dimension": u.dimension.value, "factor": u.factor} for u in Unit]


@router.get("/units/convert", response=ConvertOut, summary="Convert a quantity to kilograms")
def units_convert(
    request: HttpRequest,
    quantity: Decimal,
    unit: str,
    catalogue: str = "",
    density: Decimal | None = None,
) -> Any:
    """`catalogue` (an item code) supplies a default density for volumes; `density` (kg/L) overrides it.
    Unknown units, negative quantities and volumes without a density give 422 with the reason."""
    require(request.user, Perm.REFERENCE_VIEW)
    item = selectors.catalogue_get(user=request.user, code=catalogue) if catalogue else None
    if density is None and item is not None:
        density = item.density_kg_per_l
    try:
        understood = normalise_unit(unit)
        kg = to_kg(quantity, understood, density_kg_per_l=density)
    except ValueError as exc:
        raise HttpError(422, str(exc)) from None
    return {
        "quantity": quantity,
        "unit": understood.value,
        "dimension": understood.dimension.value,
        "density_kg_per_l": density if understood.dimension == Dimension.VOLUME else None,
        "kg": kg,
    }
