from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    name = "vanguard.opinions"
    verbose_name = _("征求意见")
