"""Small display helpers of the events pages and print templates."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import template
from django.utils import translation

from shieldhub.events.choices import Language

register = template.Library()


@register.filter
def working_languages(event: Any) -> str:
    labels = dict(Language.choices)
    return ", ".join(str(labels.get(code, code)) for code in event.languages or [])


@register.filter
def linebreaks_inline(text: str) -> str:
    """A multi-line address on one line, its lines separated by commas."""
    return ", ".join(line.strip() for line in (text or "").splitlines() if line.strip())


@register.filter
def in_zone(value: dt.datetime | None, zone: str) -> dt.datetime | None:
    """An aware datetime as the naive wall-clock time in the IANA zone `zone` (the event's own), for
    |date and |time (which would convert an aware one to the reader's zone)."""
    if value is None:
        return None
    return value.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)


@register.filter
def country_names(codes: list[str] | None) -> str:
    """ISO codes (an operation's participating countries) as country names in the active language,
    in alphabetical order, separated by commas."""
    from django_countries import countries

    names = [str(countries.name(code) or code) for code in codes or []]
    return ", ".join(sorted(names, key=str.casefold))


def colon_for(language: str | None = None) -> str:
    """The colon after a label: French puts a (non-breaking) space before it ("Intervenants :")."""
    language = language or translation.get_language() or ""
    return "\u00a0:" if language.startswith("fr") else ":"


@register.simple_tag
def colon() -> str:
    return colon_for()
