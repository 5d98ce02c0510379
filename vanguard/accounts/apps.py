from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "vanguard.accounts"
    verbose_name = _("账号与角色")
