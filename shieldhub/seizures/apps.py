from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeizuresConfig(AppConfig):
    name = "shieldhub.seizures"
    label = "seizures"
    verbose_name = _("Seizures and incidents")

    def ready(self) -> None:
        from shieldhub.seizures import tasks  # noqa: F401  (registers the background tasks)
