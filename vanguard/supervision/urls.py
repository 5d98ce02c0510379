"""URLs of the supervision app (namespace "supervision", under /supervision/): each
workflow keeps its own — inspection (groups, rounds, checks, sign-off), notes
(sampling, assessment, note types, exemplars), remediation (make-up work, guidance),
watch (key branches and key persons, talks), reports (the overview and the round
reports)."""

from vanguard.supervision.inspection import urls as inspection_urls
from vanguard.supervision.notes import urls as notes_urls
from vanguard.supervision.remediation import urls as remediation_urls
from vanguard.supervision.reports import urls as reports_urls
from vanguard.supervision.watch import urls as watch_urls

app_name = "supervision"

urlpatterns = [
    *reports_urls.urlpatterns,
    *inspection_urls.urlpatterns,
    *notes_urls.urlpatterns,
    *remediation_urls.urlpatterns,
    *watch_urls.urlpatterns,
]
