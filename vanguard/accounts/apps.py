from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "vanguard.accounts"
    verbose_name = _("账号与角色")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from vanguard.accounts import throttle

        # Wrong passwords are counted per address too (throttle.py), beside axes.
        user_login_failed.connect(throttle.on_login_failed, dispatch_uid="throttle-login-address")
