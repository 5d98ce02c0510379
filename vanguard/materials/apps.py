from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaterialsConfig(AppConfig):
    name = "vanguard.materials"
    verbose_name = _("材料与统计")

    def ready(self):
        from vanguard.campaigns.requirements import counts_records_of

        # The stage summaries an officer's home lists as waiting (campaigns.kept_pages).
        counts_records_of("materials.StageSummary")
