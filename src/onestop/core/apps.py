from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "onestop.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from onestop.core import jobs

        jobs.connect_signals()
