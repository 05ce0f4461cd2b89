from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShipmentsConfig(AppConfig):
    name = "shieldhub.shipments"
    label = "shipments"
    verbose_name = _("Licit shipments")

    def ready(self) -> None:
        from shieldhub.shipments import tasks  # noqa: F401  (registers the background tasks)
