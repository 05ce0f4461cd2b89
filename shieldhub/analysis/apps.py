from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "shieldhub.analysis"
    label = "analysis"
    verbose_name = _("Analysis and reporting")

    def ready(self) -> None:
        from shieldhub.analysis import osint, tasks  # noqa: F401  (tasks: registers the background and periodic tasks)
        from shieldhub.exchange.signals import message_composed

        message_composed.connect(osint.on_message_composed, dispatch_uid="analysis.osint.on_message_composed")
