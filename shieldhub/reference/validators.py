"""Validators for the list fields of the catalogue (JSON lists of strings)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_HS6 = re.compile(r"^\d{6}$")
_UN = re.compile(r"^\d{4}$")
_CAS = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")


def _as_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValidationError(_("Enter a list."), code="not_list")
    return value


def validate_text_list(value: Any) -> None:
    for item in _as_list(value):
        if not isinstance(item, str) or not item.strip():
            raise ValidationError(_("Every entry must be a non-empty text."), code="bad_item")


def validate_hs6_list(value: Any) -> None:
    for item in _as_list(value):
        if not isinstance(item, str) or not _HS6.match(item):
            raise ValidationError(
                _("“%(value)s” is not a six-digit HS code (for example 2829.11)."),
                code="bad_hs",
                params={"value": item},
            )


def validate_un_list(value: Any) -> None:
    for item in _as_list(value):
        if not isinstance(item, str) or not _UN.match(item):
            raise ValidationError(
                _("“%(value)s” is not a UN number (four digits, for example 1942)."),
                code="bad_un",
                params={"value": item},
            )


def cas_is_valid(value: str) -> bool:
    """The CAS Registry Number format and its check digit."""
    match = _CAS.match(value)
    if not match:
        return False
    digits = (match.group(1) + match.group(2))[::-1]
    total = sum((i + 1) * int(d) for i, d in enumerate(digits))
    return total % 10 == int(match.group(3))


def validate_cas(value: str) -> None:
    if value and not cas_is_valid(value):
        raise ValidationError(
            _("“%(value)s” is not a valid CAS number (for example 6484-52-2)."),
            code="bad_cas",
            params={"value": value},
        )
