from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "vanguard.meetings"
    verbose_name = _("会议")

    def ready(self) -> None:
        # Registers the requirement kind of meetings (检查项) and its dashboard figure.
        from vanguard.meetings import requirements  # noqa: F401
