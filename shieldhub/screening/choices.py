from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    """The kinds of rule the engine implements (`engine.RULE_KINDS`); analysts set weights and texts."""

    FIRST_SHIPMENT = "first_shipment", _("First shipment for a consignee")
    WATCH_COUNTRY = "watch_country", _("Route through a watch-list country")
    QUANTITY_ABOVE_HISTORY = "quantity_above_history", _("Quantity far above the consignee's history")
    HS_MISMATCH = "hs_mismatch", _("Declared HS code inconsistent with the description")
    ENTITY_WATCH = "entity_watch", _("Party close to a watch-list entity")
    PRECURSOR_COMBINATION = "precursor_combination", _("Precursor combination typical of IED manufacture")
    EARLIER_OBJECTIONS = "earlier_objections", _("Objections on earlier shipments")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")
