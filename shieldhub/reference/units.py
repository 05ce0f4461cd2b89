"""Units of quantity and conversion to kilograms. Pure functions, Decimal throughout, no database.

`normalise_unit` accepts the usual spellings (English, French, UN/ECE Recommendation 20 codes)
and never guesses: anything else raises `UnknownUnit`. "ton" alone (short, long or metric?) and
imperial gallons are refused on purpose; "gallon" means the US gallon (3.785411784 L).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation, localcontext
from enum import StrEnum

from django.utils.translation import gettext as _

from shieldhub.reference.text import fold


class Dimension(StrEnum):
    MASS = "mass"
    VOLUME = "volume"
    COUNT = "count"


class Unit(StrEnum):
    """The value is the symbol shown to people and used in the API."""

    G = "g"
    KG = "kg"
    T = "t"
    LB = "lb"
    ML = "mL"
    L = "L"
    M3 = "m³"
    GAL = "gal"
    PCS = "pcs"

    @property
    def dimension(self) -> Dimension:
        return _DIMENSIONS[self]

    @property
    def factor(self) -> Decimal:
        """Kilograms per unit (mass), litres per unit (volume), 1 for pieces."""
        return _FACTORS[self]


_DIMENSIONS = {
    Unit.G: Dimension.MASS,
    Unit.KG: Dimension.MASS,
    Unit.T: Dimension.MASS,
    Unit.LB: Dimension.MASS,
    Unit.ML: Dimension.VOLUME,
    Unit.L: Dimension.VOLUME,
    Unit.M3: Dimension.VOLUME,
    Unit.GAL: Dimension.VOLUME,
    Unit.PCS: Dimension.COUNT,
}
_FACTORS = {
    Unit.G: Decimal("0.001"),
    Unit.KG: Decimal(1),
    Unit.T: Decimal(1000),
    Unit.LB: Decimal("0.45359237"),  # exact, by the 1959 international agreement
    Unit.ML: Decimal("0.001"),
    Unit.L: Decimal(1),
    Unit.M3: Decimal(1000),
    Unit.GAL: Decimal("3.785411784"),  # US liquid gallon, exact
    Unit.PCS: Decimal(1),
}

# Folded spellings (see `text.fold`: lower case, accents and superscripts flattened).
_SPELLINGS: dict[Unit, tuple[str, ...]] = {
    Unit.G: ("g", "gram", "grams", "gramme", "grammes", "grm"),
    Unit.KG: ("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramme", "kilogrammes", "kgm"),
    Unit.T: (
        "t",
        "mt",
        "tonne",
        "tonnes",
        "metric ton",
        "metric tons",
        "metric tonne",
        "metric tonnes",
        "ton metric",
        "tons metric",
        "tonne metric",
        "tonnes metric",
        "tne",
    ),
    Unit.LB: ("lb", "lbs", "pound", "pounds", "lbr"),
    Unit.ML: ("ml", "millilitre", "millilitres", "milliliter", "milliliters", "mlt"),
    Unit.L: ("l", "lt", "ltr", "litre", "litres", "liter", "liters"),
    Unit.M3: (
        "m3",
        "cbm",
        "cubic metre",
        "cubic metres",
        "cubic meter",
        "cubic meters",
        "metre cube",
        "metres cubes",
        "mtq",
    ),
    Unit.GAL: ("gal", "gals", "gallon", "gallons", "us gal", "us gallon", "us gallons", "gll"),
    Unit.PCS: (
        "pc",
        "pcs",
        "piece",
        "pieces",
        "u",
        "unit",
        "units",
        "unite",
        "unites",
        "pce",
        "nar",
        "c62",
        "h87",
    ),
}
_ALIASES: dict[str, Unit] = {spelling: unit for unit, spellings in _SPELLINGS.items() for spelling in spellings}


class UnknownUnit(ValueError):
    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(_("Unknown unit “%(unit)s”. Use kg, g, t, lb, L, mL, m³, gal or pieces.") % {"unit": text})


class DensityRequired(ValueError):
    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        super().__init__(
            _("A density (kg/L) is needed to convert a volume in %(unit)s to kilograms.") % {"unit": unit.value}
        )


class InvalidQuantity(ValueError):
    pass


class IncompatibleUnits(ValueError):
    pass


def normalise_unit(text: str | Unit) -> Unit:
    """'Kgs', ' litres ', 'm³', 'MT', 'pièces' → the Unit; anything else → UnknownUnit."""
    if isinstance(text, Unit):
        return text
    key = " ".join(fold(str(text or "")).replace(".", " ").split())
    try:
        return _ALIASES[key]
    except KeyError:
        raise UnknownUnit(str(text or "").strip()) from None


def _decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):
        raise InvalidQuantity(_("Give quantities as decimals, not floating-point numbers."))
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidQuantity(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not number.is_finite():
        raise InvalidQuantity(_("“%(value)s” is not a number.") % {"value": value})
    if number < 0:
        raise InvalidQuantity(_("A quantity cannot be negative."))
    return number


def convert(quantity: Decimal | int | str, from_unit: Unit | str, to_unit: Unit | str) -> Decimal:
    """Between two units of the same dimension (mass to mass, volume to volume)."""
    source, target = normalise_unit(from_unit), normalise_unit(to_unit)
    if source.dimension != target.dimension:
        raise IncompatibleUnits(
            _("Cannot convert %(source)s to %(target)s.") % {"source": source.value, "target": target.value}
        )
    number = _decimal(quantity)
    if source == target:
        return number
    with localcontext() as ctx:
        ctx.prec = 40
        return number * source.factor / target.factor


def to_kg(
    quantity: Decimal | int | str, unit: Unit | str, *, density_kg_per_l: Decimal | int | str | None = None
) -> Decimal | None:
    """The mass in kilograms. Volumes need a density (DensityRequired otherwise); pieces have no
    mass and give None."""
    unit = normalise_unit(unit)
    number = _decimal(quantity)
    if unit.dimension == Dimension.COUNT:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        if unit.dimension == Dimension.MASS:
            return number * unit.factor
        if density_kg_per_l is None or density_kg_per_l == "":
            raise DensityRequired(unit)
        density = _decimal(density_kg_per_l)
        if density == 0:
            raise InvalidQuantity(_("A density must be greater than zero."))
        return number * unit.factor * density


def pure_kg(kg: Decimal | int | str, concentration_percent: Decimal | int | str) -> Decimal:
    """The kilograms of the pure substance in `kg` of a product at `concentration_percent` (0–100)."""
    mass = _decimal(kg)
    percent = _decimal(concentration_percent)
    if percent > 100:
        raise InvalidQuantity(_("A concentration must be between 0 and 100 %."))
    with localcontext() as ctx:
        ctx.prec = 40
        return mass * percent / 100
