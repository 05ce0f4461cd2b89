"""Building the engine's `Context` from the database, once per run (or per ad-hoc scoring).

What the rules compare with, and where it comes from:

* rules: the active `ScreeningRule` rows (explanation in the user's language);
* the catalogue: `GoodsMatcher.from_catalogue()`, HS codes, names and densities per item;
* the watch lists: `WatchListEntity` as a `core.names.NameIndex`, `WatchListCountry`;
* consignee history ("seen before", kg per catalogue item): the seizure records the user may see
  (consignees and their goods lines), the licit shipments the user may see (shipments app, through
  its selectors, when it is installed), and earlier files screened for the same country
  (`ConsigneeHistory`);
* objections: shipments the user may see whose verification ended in an objection, per consignee.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from django.utils import translation

from shieldhub.core.names import NameIndex, normalise_name
from shieldhub.reference.matching import GoodsMatcher
from shieldhub.screening.engine import Context, ItemHistory, Rule
from shieldhub.screening.models import ConsigneeHistory, ScreeningRule, WatchListCountry, WatchListEntity

logger = logging.getLogger(__name__)


def active_rules(language: str | None = None) -> list[Rule]:
    language = language or translation.get_language() or "en"
    return [
        Rule(kind=r.code, weight=r.weight, explanation=r.explanation(language), parameters=r.parameters or {})
        for r in ScreeningRule.objects.filter(is_active=True).order_by("pk")
    ]


def _catalogue() -> tuple[GoodsMatcher, dict[str, frozenset[str]], dict[str, str], dict[str, float]]:
    from shieldhub.reference.models import CatalogueItem

    items = list(CatalogueItem.objects.filter(is_active=True).order_by("pk"))
    matcher = GoodsMatcher.from_catalogue(items)
    item_hs = {i.code: frozenset(str(h)[:6] for h in (i.hs_codes or [])) for i in items}
    names = {i.code: i.name_en for i in items}
    density = {i.code: float(i.density_kg_per_l) for i in items if i.density_kg_per_l}
    return matcher, item_hs, names, density


def entity_index() -> tuple[NameIndex, dict[Any, tuple[str, str, str]]]:
    index = NameIndex()
    info: dict[Any, tuple[str, str, str]] = {}
    for pk, name, country, reason in WatchListEntity.objects.values_list("pk", "name", "country", "reason"):
        index.add(pk, name)
        info[pk] = (name, country, reason)
    return index, info


class _History:
    def __init__(self) -> None:
        self.known: set[str] = set()
        self.kg: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.counted: dict[tuple[str, str], tuple[int, float, float]] = {}

    def add(self, consignee: str, item: str | None, kg: float | None) -> None:
        if not consignee:
            return
        self.known.add(consignee)
        if item and kg:
            self.kg[(consignee, item)].append(kg)

    def result(self) -> dict[tuple[str, str], ItemHistory]:
        out: dict[tuple[str, str], ItemHistory] = {}
        for key, values in self.kg.items():
            out[key] = ItemHistory(count=len(values), max_kg=max(values), mean_kg=sum(values) / len(values))
        for key, (count, total, max_kg) in self.counted.items():
            past = out.get(key)
            if past is None:
                out[key] = ItemHistory(count=count, max_kg=max_kg, mean_kg=total / count if count else 0)
            else:
                all_count = past.count + count
                mean = (past.mean_kg * past.count + total) / all_count if all_count else 0
                out[key] = ItemHistory(count=all_count, max_kg=max(past.max_kg, max_kg), mean_kg=mean)
        return out


def _seizure_history(user: Any, history: _History) -> None:
    from shieldhub.seizures.models import GoodsLine, IncidentParty
    from shieldhub.seizures.selectors import incident_list

    visible = incident_list(user=user).order_by().values("pk")
    consignees: dict[int, list[str]] = defaultdict(list)
    for incident_id, name in IncidentParty.objects.filter(incident__in=visible, role="consignee").values_list(
        "incident_id", "entity__normalised_name"
    ):
        consignees[incident_id].append(normalise_name(name))
    lines = GoodsLine.objects.filter(incident_id__in=list(consignees)).values_list(
        "incident_id", "catalogue_item__code", "quantity_kg"
    )
    for incident_id, code, kg in lines:
        for name in consignees[incident_id]:
            history.add(name, code, float(kg) if kg else None)
    for names in consignees.values():
        for name in names:
            history.add(name, None, None)


def shipments_available() -> bool:
    """Whether the shipments app has its models and selectors (it is built alongside)."""
    try:
        from shieldhub.shipments import models, selectors
    except ImportError:
        return False
    return hasattr(models, "Shipment") and hasattr(selectors, "shipment_list")


def _shipment_history(user: Any, history: _History, objections: dict[str, int], exclude: Any = None) -> None:
    if not shipments_available():
        return
    from shieldhub.shipments.models import ShipmentLine
    from shieldhub.shipments.selectors import shipment_list

    try:
        visible = shipment_list(user=user).order_by()
        if exclude is not None:
            visible = visible.exclude(pk=exclude)
        rows = list(visible.values_list("pk", "consignee__normalised_name", "status"))
    except Exception:  # the shipments app is being built alongside: screening must still work
        logger.exception("Shipment history unavailable for screening")
        return
    licit = {"confirmed", "confirmed_with_concerns", "closed"}
    by_shipment: dict[int, str] = {}
    for pk, name, status in rows:
        consignee = normalise_name(name or "")
        if not consignee:
            continue
        if status == "objected":
            objections[consignee] = objections.get(consignee, 0) + 1
        elif status in licit:
            by_shipment[pk] = consignee
            history.add(consignee, None, None)
    for shipment_id, code, kg in ShipmentLine.objects.filter(shipment_id__in=list(by_shipment)).values_list(
        "shipment_id", "catalogue_item__code", "quantity_kg"
    ):
        history.add(by_shipment[shipment_id], code, float(kg) if kg else None)


def _file_history(country: str, history: _History) -> None:
    for consignee, item, count, total, max_kg in ConsigneeHistory.objects.filter(country=country).values_list(
        "consignee", "item", "count", "total_kg", "max_kg"
    ):
        history.known.add(consignee)
        if item:
            history.counted[(consignee, item)] = (count, total, max_kg)


def build_context(
    *, user: Any, country: str = "", min_score: int = 1, language: str | None = None, exclude_shipment: Any = None
) -> Context:
    matcher, item_hs, names, density = _catalogue()
    index, info = entity_index()
    history = _History()
    objections: dict[str, int] = {}
    if user is not None:
        _seizure_history(user, history)
        _shipment_history(user, history, objections, exclude=exclude_shipment)
    _file_history(country, history)
    return Context(
        rules=active_rules(language),
        matcher=matcher,
        item_hs=item_hs,
        item_names=names,
        item_density=density,
        entities=index,
        entity_info=info,
        watch_countries={str(c): r for c, r in WatchListCountry.objects.values_list("country", "reason")},
        known_consignees=history.known,
        history=history.result(),
        objections=objections,
        min_score=min_score,
    )
