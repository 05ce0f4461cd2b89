from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "shieldhub.analysis"
    label = "analysis"
    verbose_name = _("Analysis and reporting")

    def ready(self) -> None:
        from shieldhub.analysis import tasks  # noqa: F401  (registers the background and periodic tasks)
