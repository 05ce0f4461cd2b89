"""Each rule fires when it should and stays silent otherwise; weights add up into the score."""

from __future__ import annotations

import pytest

from shieldhub.screening.context import build_context
from shieldhub.screening.engine import Declaration, ItemHistory, Rule, Screener, screen
from shieldhub.screening.models import ScreeningRule

pytestmark = pytest.mark.django_db


def _ctx(user=None, **overrides):
    context = build_context(user=user)
    for key, value in overrides.items():
        setattr(context, key, value)
    return context


def _d(**kw) -> Declaration:
    base = {"ref": "D1", "line": 2, "consignor": "Acme Exports", "consignee": "Green Farm Supplies",
            "origin": "IN", "destination": "KE", "hs_code": "310230", "description": "Ammonium nitrate fertiliser",
            "quantity": 1000.0, "unit": "kg"}  # fmt: skip
    base.update(kw)
    return Declaration(**base)


def _rules(result):
    return [r.rule for r in result.reasons]


def test_default_rules_come_from_the_migration(db):
    assert ScreeningRule.objects.count() == 7
    assert set(ScreeningRule.objects.values_list("code", flat=True)) >= {"hs_mismatch", "precursor_combination"}


def test_first_shipment_fires_for_an_unknown_consignee_and_not_for_a_known_one(watch):
    ctx = _ctx()
    (result,) = screen([_d()], ctx)
    assert "first_shipment" in _rules(result)
    ctx.known_consignees = {"green farm supplies"}
    (result,) = screen([_d()], ctx)
    assert "first_shipment" not in _rules(result)
    # goods outside the catalogue: silent by default
    (result,) = screen([_d(consignee="New Co", description="Cotton T-shirts", hs_code="610910")], _ctx())
    assert "first_shipment" not in _rules(result)


def test_watch_country_fires_on_route_origin_or_destination(watch):
    ctx = _ctx()
    (hit,) = screen([_d(route=("SY",))], ctx)
    reason = next(r for r in hit.reasons if r.rule == "watch_country")
    assert "SY" in reason.evidence and "Conflict zone" in reason.evidence
    (clean,) = screen([_d(route=("AE",))], ctx)
    assert "watch_country" not in _rules(clean)


def test_quantity_far_above_history(watch):
    ctx = _ctx(
        known_consignees={"green farm supplies"},
        history={("green farm supplies", "ammonium-nitrate"): ItemHistory(count=4, max_kg=1200, mean_kg=1000)},
    )
    (normal,) = screen([_d(quantity=2.5, unit="t")], ctx)
    assert "quantity_above_history" not in _rules(normal)
    (big,) = screen([_d(quantity=25, unit="t")], ctx)
    reason = next(r for r in big.reasons if r.rule == "quantity_above_history")
    assert "25,000 kg" in reason.evidence


def test_hs_inconsistent_with_description(watch):
    ctx = _ctx()
    (mismatch,) = screen([_d(description="Urea prills 46% N", hs_code="3102.30")], ctx)
    assert "hs_mismatch" in _rules(mismatch)
    (consistent,) = screen([_d(description="Urea prills 46% N", hs_code="310210")], ctx)
    assert "hs_mismatch" not in _rules(consistent)
    (unknown_goods,) = screen([_d(description="Cotton T-shirts", hs_code="310230")], ctx)
    assert "hs_mismatch" not in _rules(unknown_goods)


def test_fuzzy_entity_hit_on_consignee_or_exporter(watch):
    ctx = _ctx()
    (hit,) = screen([_d(consignor="NITRO-CHEMICALS TRADING L.L.C.")], ctx)
    reason = next(r for r in hit.reasons if r.rule == "entity_watch")
    assert "Nitro Chemicals Trading LLC" in reason.evidence and "Diverted AN" in reason.evidence
    (clean,) = screen([_d(consignor="Blue Ocean Textiles")], ctx)
    assert "entity_watch" not in _rules(clean)


def test_precursor_combination_per_consignee_across_the_file(watch):
    ctx = _ctx()
    rows = [
        _d(line=2, description="Hydrogen peroxide 50%", hs_code="284700"),
        _d(line=3, description="Acetone technical grade", hs_code="291411"),
        _d(line=4, consignee="Other Buyer", description="Acetone technical grade", hs_code="291411"),
    ]
    results = list(screen(rows, ctx))
    assert "precursor_combination" in _rules(results[0])
    assert "precursor_combination" in _rules(results[1])
    assert "TATP" in next(r for r in results[1].reasons if r.rule == "precursor_combination").evidence
    assert "precursor_combination" not in _rules(results[2])


def test_earlier_objections(watch):
    ctx = _ctx(objections={"green farm supplies": 2})
    (hit,) = screen([_d()], ctx)
    assert "earlier_objections" in _rules(hit)
    (clean,) = screen([_d(consignee="Someone Else")], ctx)
    assert "earlier_objections" not in _rules(clean)


def test_weights_add_up_into_the_score_with_reasons(watch):
    ctx = _ctx()
    (result,) = screen([_d(consignor="Nitro Chemicals Trading", route=("SY",), hs_code="310210")], ctx)
    weights = dict(ScreeningRule.objects.values_list("code", "weight"))
    assert set(_rules(result)) == {"first_shipment", "watch_country", "hs_mismatch", "entity_watch"}
    assert result.score == sum(weights[r] for r in _rules(result))
    assert all(r.explanation and r.evidence for r in result.reasons)


def test_rule_edits_take_effect(watch, analyst):
    from shieldhub.screening import services

    rule = ScreeningRule.objects.get(code="watch_country")
    services.rule_update(actor=analyst, rule=rule, data={"weight": 77})
    (result,) = screen([_d(route=("SY",))], _ctx())
    assert next(r for r in result.reasons if r.rule == "watch_country").weight == 77
    services.rule_update(actor=analyst, rule=rule, data={"is_active": False})
    (result,) = screen([_d(route=("SY",))], _ctx())
    assert "watch_country" not in _rules(result)
    entity = ScreeningRule.objects.get(code="entity_watch")
    services.rule_update(actor=analyst, rule=entity, data={"parameters": {"cutoff": 99.5}})
    (result,) = screen([_d(consignor="Nitro Chemical Tradin")], _ctx())
    assert "entity_watch" not in _rules(result)


def test_feed_keeps_only_flagged_and_finish_adds_combinations(watch):
    ctx = _ctx(known_consignees={"green farm supplies"}, min_score=30)
    screener = Screener(ctx)
    flagged = screener.feed(
        [
            _d(line=2, description="Aluminium powder", hs_code="760310"),
            _d(line=3, description="Ammonium nitrate", hs_code="310230"),
        ]
    )
    assert flagged == []
    extra = screener.finish()
    assert sorted(r.declaration.line for r in extra) == [2, 3]


def test_units_and_volumes_become_kg(watch):
    ctx = _ctx()
    (t,) = screen([_d(quantity=2, unit="t")], ctx)
    assert t.declaration.kg == 2000
    (pcs,) = screen([_d(quantity=5, unit="pcs")], ctx)
    assert pcs.declaration.kg is None


def test_rule_objects_default_parameters():
    rule = Rule(kind="quantity_above_history", weight=1, explanation="x", parameters={})
    assert rule.param("ratio") == 3.0
