from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShipmentsConfig(AppConfig):
    name = "shieldhub.shipments"
    label = "shipments"
    verbose_name = _("Licit shipments")
