from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntitiesConfig(AppConfig):
    name = "shieldhub.entities"
    label = "entities"
    verbose_name = _("Entities")

    def ready(self) -> None:
        from shieldhub.entities import tasks  # noqa: F401  (registers the background tasks)
