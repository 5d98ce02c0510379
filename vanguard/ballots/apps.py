from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BallotsConfig(AppConfig):
    name = "vanguard.ballots"
    label = "ballots"  # vanguard.audit.services.EXCLUDED_APPS names this label
    verbose_name = _("民主评议投票")
