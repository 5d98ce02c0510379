from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudyConfig(AppConfig):
    name = "vanguard.study"
    verbose_name = _("学习")

    def ready(self) -> None:
        # Registers the requirement kinds of study (检查项) and its dashboard figures.
        from vanguard.study import requirements  # noqa: F401
