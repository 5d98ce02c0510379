from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running Vanguard: health, backups and what an operator needs beside the campaign."""

    name = "vanguard.operations"
    verbose_name = _("运行维护")
