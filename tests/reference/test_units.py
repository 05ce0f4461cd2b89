"""units.py: spellings, conversions and errors; pure functions, no database."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from shieldhub.reference.units import (
    DensityRequired,
    Dimension,
    IncompatibleUnits,
    InvalidQuantity,
    Unit,
    UnknownUnit,
    convert,
    normalise_unit,
    pure_kg,
    to_kg,
)

SPELLINGS = {
    Unit.KG: ["kg", "KG", "Kg", "kgs", "KGS", "kilo", "kilos", "kilogram", "kilograms", "Kilogrammes", " kg ", "kg."],
    Unit.G: ["g", "G", "gram", "grams", "gramme", "grammes"],
    Unit.T: [
        "t",
        "T",
        "MT",
        "mt",
        "tonne",
        "tonnes",
        "Tonnes",
        "tonnes metric",
        "tons metric",
        "metric tons",
        "metric  ton",
    ],
    Unit.LB: ["lb", "LB", "lbs", "pound", "pounds", "Pounds"],
    Unit.ML: ["ml", "mL", "ML", "millilitres", "milliliter"],
    Unit.L: ["l", "L", "litre", "litres", "Litres", "liter", "liters", "LTR"],
    Unit.M3: ["m3", "M3", "m³", "M³", "cubic metre", "cubic meters", "Cubic  Metres", "mètre cube"],
    Unit.GAL: ["gal", "GAL", "gallon", "gallons", "US gallons"],
    Unit.PCS: ["pcs", "PCS", "pc", "pieces", "pièces", "Pièce", "units", "unit", "u", "U", "unités"],
}


@pytest.mark.parametrize(("unit", "text"), [(u, t) for u, texts in SPELLINGS.items() for t in texts])
def test_common_spellings_are_understood(unit, text):
    assert normalise_unit(text) is unit


@pytest.mark.parametrize(
    "text", ["", "  ", "ton", "tons", "short ton", "kgx", "imperial gallon", "oz", "bbl", "drums", "bags", "k g", "1kg"]
)
def test_anything_else_is_refused_never_guessed(text):
    with pytest.raises(UnknownUnit) as exc:
        normalise_unit(text)
    assert isinstance(exc.value, ValueError)
    assert exc.value.text == text.strip()


def test_unknown_unit_message_names_the_unit_and_is_translated():
    with pytest.raises(UnknownUnit) as exc:
        normalise_unit("furlongs")
    assert "“furlongs”" in str(exc.value)
    assert "kg" in str(exc.value)
    with translation.override("fr"), pytest.raises(UnknownUnit) as exc_fr:
        normalise_unit("furlongs")
    assert "furlongs" in str(exc_fr.value)


def test_units_pass_through():
    assert normalise_unit(Unit.GAL) is Unit.GAL


@pytest.mark.parametrize(
    ("quantity", "unit", "expected"),
    [
        ("1", "kg", "1"),
        ("250", "g", "0.25"),
        ("1.5", "t", "1500"),
        ("2", "MT", "2000"),
        ("1", "lb", "0.45359237"),
        ("100", "lbs", "45.359237"),
        ("0", "kg", "0"),
    ],
)
def test_mass_to_kg(quantity, unit, expected):
    assert to_kg(Decimal(quantity), unit) == Decimal(expected)


@pytest.mark.parametrize(
    ("quantity", "unit", "density", "expected"),
    [
        ("1", "L", "1.41", "1.41"),
        ("500", "mL", "1.13", "0.565"),
        ("2", "m³", "0.784", "1568"),
        ("1", "gal", "1", "3.785411784"),
        ("10", "gallons", "1.137", "43.04013198408"),
    ],
)
def test_volume_to_kg_uses_the_density(quantity, unit, density, expected):
    assert to_kg(Decimal(quantity), unit, density_kg_per_l=Decimal(density)) == Decimal(expected)


def test_volume_without_density_is_refused():
    with pytest.raises(DensityRequired) as exc:
        to_kg(Decimal(5), "litres")
    assert "L" in str(exc.value)
    assert isinstance(exc.value, ValueError)


def test_density_is_ignored_for_masses():
    assert to_kg(Decimal(3), "kg", density_kg_per_l=Decimal("1.4")) == Decimal(3)


def test_pieces_have_no_mass():
    assert to_kg(Decimal(12), "pcs") is None
    assert to_kg(Decimal(12), "pieces", density_kg_per_l=Decimal(1)) is None


@pytest.mark.parametrize("bad", ["-1", "NaN", "Infinity", "abc"])
def test_bad_quantities_are_refused(bad):
    with pytest.raises(InvalidQuantity):
        to_kg(bad, "kg")


def test_floats_are_refused_to_keep_decimal_exactness():
    with pytest.raises(InvalidQuantity):
        to_kg(0.1, "kg")  # type: ignore[arg-type]


def test_zero_density_is_refused():
    with pytest.raises(InvalidQuantity):
        to_kg(Decimal(1), "L", density_kg_per_l=Decimal(0))


def test_results_are_decimals():
    assert isinstance(to_kg(Decimal(1), "lb"), Decimal)
    assert isinstance(to_kg("2", "L", density_kg_per_l="1.2"), Decimal)


def test_pure_kg():
    assert pure_kg(Decimal(200), Decimal(35)) == Decimal(70)
    assert pure_kg(Decimal("12.5"), Decimal(100)) == Decimal("12.5")
    assert pure_kg(Decimal(10), Decimal(0)) == 0
    with pytest.raises(InvalidQuantity):
        pure_kg(Decimal(10), Decimal(101))
    with pytest.raises(InvalidQuantity):
        pure_kg(Decimal(10), Decimal(-1))


def test_convert_refuses_mass_to_volume():
    with pytest.raises(IncompatibleUnits):
        convert(Decimal(1), "kg", "L")
    with pytest.raises(IncompatibleUnits):
        convert(Decimal(1), "pcs", "kg")


def test_every_unit_has_a_dimension_and_a_positive_factor():
    for unit in Unit:
        assert unit.dimension in Dimension
        assert unit.factor > 0


quantities = st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False, allow_infinity=False)
masses = st.sampled_from([u for u in Unit if u.dimension == Dimension.MASS])
volumes = st.sampled_from([u for u in Unit if u.dimension == Dimension.VOLUME])
densities = st.decimals(min_value=Decimal("0.01"), max_value=25, places=4)


@given(q=quantities, a=masses, b=masses)
def test_mass_round_trip(q, a, b):
    back = convert(convert(q, a, b), b, a)
    assert abs(back - q) <= q * Decimal("1e-30") + Decimal("1e-30")


@given(q=quantities, a=volumes, b=volumes)
def test_volume_round_trip(q, a, b):
    back = convert(convert(q, a, b), b, a)
    assert abs(back - q) <= q * Decimal("1e-30") + Decimal("1e-30")


@given(q=quantities, a=st.sampled_from([Unit.G, Unit.KG, Unit.T]), b=st.sampled_from([Unit.G, Unit.KG, Unit.T]))
def test_metric_round_trip_is_exact(q, a, b):
    assert convert(convert(q, a, b), b, a) == q


@given(q=quantities, unit=masses)
def test_to_kg_agrees_with_convert(q, unit):
    assert to_kg(q, unit) == convert(q, unit, Unit.KG)


@given(q=quantities, unit=volumes, density=densities)
def test_volume_to_kg_is_litres_times_density(q, unit, density):
    with localcontext() as ctx:
        ctx.prec = 40  # the precision units.py computes with
        assert to_kg(q, unit, density_kg_per_l=density) == convert(q, unit, Unit.L) * density


@given(q=quantities, unit=st.sampled_from(list(Unit)))
def test_spelling_of_the_symbol_round_trips(q, unit):
    assert normalise_unit(unit.value) is unit
    assert normalise_unit(unit.value.upper()) is unit
    assert normalise_unit(f"  {unit.value.lower()} ") is unit


@given(a=quantities, b=quantities)
def test_to_kg_is_monotonic(a, b):
    if a <= b:
        assert to_kg(a, "lb") <= to_kg(b, "lb")
