from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    name = "vanguard.opinions"
    verbose_name = _("征求意见")

    def ready(self):
        from vanguard.campaigns.requirements import counts_records_of

        # What the member's feedback sheet and their home's to-do read (kept pages:
        # campaigns.kept_pages). Not the survey's answers: like a ballot, an answer
        # leaves no trace elsewhere; the sheet shows them only once their survey is
        # closed, and closing it is a write to the survey.
        counts_records_of(
            "opinions.Opinion",
            "opinions.OpinionSettings",
            "opinions.Aspect",
            "opinions.Survey",
            "opinions.FeedbackAcknowledgement",
        )
