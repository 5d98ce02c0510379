from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "vanguard.campaigns"
    verbose_name = _("活动与阶段")
