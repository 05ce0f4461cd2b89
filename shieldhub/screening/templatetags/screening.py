"""`{% load screening %}{% shipment_risk shipment %}`: the shipment's risk score with its reasons,
for the shipment page. Shown to users who may run screening; scored when the page is drawn."""

from __future__ import annotations

import logging
from typing import Any

from django import template

from shieldhub.core.access import Perm, has_perm

register = template.Library()
logger = logging.getLogger(__name__)


@register.inclusion_tag("screening/_shipment_risk.html", takes_context=True)
def shipment_risk(context: dict[str, Any], shipment: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if shipment is None or not has_perm(user, Perm.SCREENING_RUN):
        return {"result": None}
    from shieldhub.screening.services import score_shipment

    try:
        result = score_shipment(actor=user, shipment=shipment)
    except Exception:  # the score is an aid: the shipment page must still open
        logger.exception("Could not score shipment %s", getattr(shipment, "pk", None))
        return {"result": None, "failed": True}
    return {"result": result}
