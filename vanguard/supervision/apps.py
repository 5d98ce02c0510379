from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "vanguard.supervision"
    verbose_name = _("督查")

    def ready(self) -> None:
        # Registers the requirement kinds of supervision (检查项): the group's sign-off
        # on a branch's move to the next phase, make-up work done.
        from vanguard.supervision import requirements  # noqa: F401
