from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "shieldhub.events"
    label = "events"
    verbose_name = _("Events and operations")

    def ready(self) -> None:
        from shieldhub.events import tasks  # noqa: F401  (registers the background and periodic tasks)
