"""Small, pure text helpers for reference data: folding for matching, HS code spelling."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_EVEN, Decimal

_SPACES = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_HS_NOISE = re.compile(r"[\s.\-]")


def fold(text: str) -> str:
    """Lower case, accents removed, apostrophes unified, spaces collapsed: for matching only."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_APOSTROPHES))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def hs_compact(text: str) -> str:
    """'2829.11', '2829 11', '2829-11' → '282911' (the stored form); anything else unchanged but stripped."""
    return _HS_NOISE.sub("", (text or "").strip())


def hs_display(code: str) -> str:
    """'282911' → '2829.11'; '2829' → '2829'; '28' → '28'."""
    return f"{code[:4]}.{code[4:]}" if len(code) > 4 else code


def split_list(text: str) -> list[str]:
    """A list typed as one item per line or separated by ';' → the items, stripped, without repeats."""
    items: list[str] = []
    seen: set[str] = set()
    for part in re.split(r"[;\n\r]+", text or ""):
        item = part.strip()
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            items.append(item)
    return items


def tidy_decimal(value: Decimal, places: int) -> Decimal:
    """Rounded to at most `places` decimals, without trailing zeros or an exponent: 1.4100 → 1.41."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN).normalize()
    exponent = rounded.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        rounded = rounded.quantize(Decimal(1))
    return rounded
