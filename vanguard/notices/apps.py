from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "vanguard.notices"
    verbose_name = _("通知与提醒")
