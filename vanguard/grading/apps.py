from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vanguard.grading"
    verbose_name = _("等级评定")

    def ready(self) -> None:
        # Registers the requirement kinds of the appraisal and grading (检查项).
        from vanguard.grading import requirements  # noqa: F401
        from vanguard.grading.review_facts import appraisal_facts
        from vanguard.grading.selectors import grade_fact_text
        from vanguard.reviews import grade_facts

        # The review rounds 2 and 3 report up the appraisal's votes and grades.
        grade_facts.register(grade_fact_text)
        # … and show them read-only, so the branch types none of them.
        grade_facts.register_facts(appraisal_facts)
