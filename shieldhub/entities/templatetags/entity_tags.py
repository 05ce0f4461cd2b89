"""`{% related_records incident %}`: the card of earlier records that share a seizure's companies
(or a confirmed "same as" of them), or its goods and route, each as the reader may see them."""

from __future__ import annotations

from typing import Any

from django import template

from shieldhub.core.access import Perm, has_perm
from shieldhub.entities.selectors import related_to_incident

register = template.Library()


@register.inclusion_tag("entities/_related_records.html", takes_context=True)
def related_records(context: dict[str, Any], incident: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    related = related_to_incident(user=user, incident=incident)
    return {
        "related": related,
        "items": related.items,
        "incident": incident,
        "can_open_entities": has_perm(user, Perm.ENTITY_VIEW),
    }
