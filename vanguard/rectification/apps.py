from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "vanguard.rectification"
    verbose_name = _("整改提高")

    def ready(self) -> None:
        # Registers the requirement kinds of rectification (检查项): every member has a
        # plan, the branch plan approved, a share of items done by their deadline.
        from vanguard.grading import registration_sections
        from vanguard.rectification import requirements  # noqa: F401
        from vanguard.rectification.exports.registration import plan_sections

        # The member's plan, in a few lines, on their appraisal registration form.
        registration_sections.register("rectification_plan", plan_sections)
