from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_records_version(sender, using, **kwargs):
    """After every migrate: each counted table has the triggers that keep the records'
    version (campaigns.records), a new one too."""
    from django.db import connections

    from vanguard.campaigns import records

    records.install(connections[using])


class CampaignsConfig(AppConfig):
    name = "vanguard.campaigns"
    verbose_name = _("活动与阶段")

    def ready(self):
        post_migrate.connect(_install_records_version, sender=self)
