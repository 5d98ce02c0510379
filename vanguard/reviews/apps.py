from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "vanguard.reviews"
    verbose_name = _("党性分析与个人总结")

    def ready(self) -> None:
        # Registers the requirement kinds of the self-analysis (检查项).
        from vanguard.reviews import requirements  # noqa: F401
