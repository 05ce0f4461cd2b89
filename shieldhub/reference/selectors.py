"""Every read of the reference tables. Reference data is open to every signed-in user with a role
(Perm.REFERENCE_VIEW); lists refuse others with 403, single records with 404."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Q, QuerySet, Value, When
from django.http import Http404

from shieldhub.core.access import Perm, has_perm, require
from shieldhub.reference.choices import CatalogueCategory
from shieldhub.reference.models import CatalogueItem, Country, Currency, HsCode, WcoRegion
from shieldhub.reference.text import fold, hs_compact

HS_SEARCH_LIMIT = 50


# --- countries and regions --------------------------------------------------------------------


def region_list(*, user: Any) -> QuerySet[WcoRegion]:
    require(user, Perm.REFERENCE_VIEW)
    return WcoRegion.objects.order_by("code")


def country_list(*, user: Any, region: str = "", wco_member: bool | None = None, q: str = "") -> QuerySet[Country]:
    """Countries with their WCO region; `q` matches the code or the English or French name."""
    require(user, Perm.REFERENCE_VIEW)
    qs = Country.objects.select_related("wco_region").order_by(Country.sort_field())
    if region:
        qs = qs.filter(wco_region_id=region)
    if wco_member is not None:
        qs = qs.filter(wco_member=wco_member)
    folded = fold(q)
    if folded:
        qs = qs.filter(
            Q(code__iexact=folded) | Q(iso3__iexact=folded) | Q(sort_en__contains=folded) | Q(sort_fr__contains=folded)
        )
    return qs


def country_get(*, user: Any, code: str) -> Country:
    require(user, Perm.REFERENCE_VIEW, hide=True)
    try:
        return Country.objects.select_related("wco_region").get(code=(code or "").upper())
    except Country.DoesNotExist as exc:
        raise Http404 from exc


def country_names(*, user: Any = None) -> list[tuple[str, str, str]]:
    """(code, English name, French name) of every country, to find countries in text (the tagging of
    open-source items; background work passes no user)."""
    if user is not None:
        require(user, Perm.REFERENCE_VIEW)
    return list(Country.objects.order_by("code").values_list("code", "name_en", "name_fr"))


def wco_member_countries(*, user: Any) -> QuerySet[Country]:
    """The WCO members (the European Union, of special status, is not one), by region then name."""
    require(user, Perm.REFERENCE_VIEW)
    return (
        Country.objects.filter(wco_member=True)
        .select_related("wco_region")
        .order_by("wco_region__code", Country.sort_field())
    )


# --- HS 2022 ----------------------------------------------------------------------------------


def hs_search(*, user: Any, q: str, limit: int | None = HS_SEARCH_LIMIT) -> QuerySet[HsCode]:
    """By code prefix when `q` is digits (dots and spaces ignored: "2829.11" == "282911"),
    otherwise by words: every word must appear in the description (case-insensitive)."""
    require(user, Perm.REFERENCE_VIEW)
    qs = HsCode.objects.order_by("code")
    q = (q or "").strip()
    compact = hs_compact(q)
    if compact.isdigit():
        qs = qs.filter(code__startswith=compact)
    elif q:
        for word in q.split():
            qs = qs.filter(description__icontains=word)
    return qs[:limit] if limit else qs


@dataclass
class HsDetail:
    code: HsCode
    ancestors: list[HsCode] = field(default_factory=list)  # chapter first
    children: list[HsCode] = field(default_factory=list)
    catalogue_items: list[CatalogueItem] = field(default_factory=list)


def hs_get(*, user: Any, code: str) -> HsDetail:
    """One HS code with its parent chain, its children and the catalogue items classified there."""
    require(user, Perm.REFERENCE_VIEW, hide=True)
    try:
        hs = HsCode.objects.select_related("section").get(code=hs_compact(code))
    except HsCode.DoesNotExist as exc:
        raise Http404 from exc
    ancestors: list[HsCode] = []
    parent_id = hs.parent_id
    while parent_id:
        parent = HsCode.objects.get(code=parent_id)
        ancestors.insert(0, parent)
        parent_id = parent.parent_id
    children = list(HsCode.objects.filter(parent_id=hs.code).order_by("code"))
    items = [
        item
        for item in _catalogue_visible(user).order_by("name_en")
        if any(c == hs.code or c.startswith(hs.code) for c in item.hs_codes or [])
    ]
    return HsDetail(code=hs, ancestors=ancestors, children=children, catalogue_items=items)


# --- the PGS catalogue ------------------------------------------------------------------------


def _catalogue_visible(user: Any) -> QuerySet[CatalogueItem]:
    """Editors see retired (inactive) items too; everyone else only active ones."""
    qs = CatalogueItem.objects.all()
    if not has_perm(user, Perm.CATALOGUE_EDIT):
        qs = qs.filter(is_active=True)
    return qs


# Precursor chemicals first, then IED components, then anything else.
_CATEGORY_RANK = Case(
    When(category=CatalogueCategory.PRECURSOR, then=Value(0)),
    When(category=CatalogueCategory.IED_COMPONENT, then=Value(1)),
    default=Value(2),
).asc()


def catalogue_list(*, user: Any, q: str = "", category: str = "") -> QuerySet[CatalogueItem]:
    """Search over names and synonyms (EN/FR/ES, accents ignored), formula, CAS, UN and HS codes;
    every word of `q` must match."""
    require(user, Perm.REFERENCE_VIEW)
    qs = _catalogue_visible(user).order_by(_CATEGORY_RANK, "name_en")
    if category:
        qs = qs.filter(category=category)
    for word in fold(q or "").split():
        qs = qs.filter(search_text__contains=word)
    return qs


def catalogue_get(*, user: Any, code: str) -> CatalogueItem:
    """One item by its code; retired items stay visible to everyone (records may still point to them)."""
    require(user, Perm.REFERENCE_VIEW, hide=True)
    try:
        return CatalogueItem.objects.get(code=code)
    except CatalogueItem.DoesNotExist as exc:
        raise Http404 from exc


def catalogue_name_index(*, user: Any = None) -> dict[str, CatalogueItem | None]:
    """Folded code/name/synonym → active item; None where two items share the name (ambiguous)."""
    if user is not None:
        require(user, Perm.REFERENCE_VIEW)
    index: dict[str, CatalogueItem | None] = {}
    for item in CatalogueItem.objects.filter(is_active=True).order_by("pk"):
        for name in item.all_names():
            key = fold(name)
            if not key:
                continue
            if key in index and index[key] is not None and index[key] != item:
                index[key] = None
            else:
                index.setdefault(key, item)
    return index


def catalogue_match_name(
    text: str, *, user: Any = None, index: dict[str, CatalogueItem | None] | None = None
) -> CatalogueItem | None:
    """The active item whose code, name or synonym (EN/FR/ES) equals `text`, ignoring case and
    accents; None when nothing matches or the name is ambiguous. Imports pass a prebuilt `index`
    (from `catalogue_name_index`) to match many rows with one query."""
    key = fold(text)
    if not key:
        return None
    if index is None:
        index = catalogue_name_index(user=user)
    return index.get(key)


# --- currencies -------------------------------------------------------------------------------


def currency_list(*, user: Any, q: str = "") -> QuerySet[Currency]:
    require(user, Perm.REFERENCE_VIEW)
    qs = Currency.objects.order_by("code")
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(code__iexact=q) | Q(name__icontains=q) | Q(name_fr__icontains=q))
    return qs
