"""URLs of the opinions app (login required; namespace "opinions"): each workflow
keeps its own, under /opinions/. The public pages are in `urls_public.py`."""

from vanguard.opinions.email import urls as email_urls
from vanguard.opinions.feedback import urls as feedback_urls
from vanguard.opinions.intake import urls as intake_urls
from vanguard.opinions.sorting import urls as sorting_urls

app_name = "opinions"

urlpatterns = [
    *feedback_urls.urlpatterns,
    *sorting_urls.urlpatterns,
    *intake_urls.urlpatterns,
    *email_urls.urlpatterns,
]
