from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "vanguard.notices"
    verbose_name = _("通知与提醒")

    def ready(self):
        from vanguard.campaigns import kept_pages
        from vanguard.notices.context_processors import unread_count

        # Every page's nav shows the unread count, and notifications are not counted.
        kept_pages.key_part(unread_count)
