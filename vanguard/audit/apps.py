from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "vanguard.audit"
    verbose_name = _("审计记录")

    def ready(self) -> None:
        from vanguard.audit import signals

        signals.connect()
