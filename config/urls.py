"""URL wiring. Uploaded files have no public URL: they are served by views that check access."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from vanguard.api.urls import api

admin.site.site_header = "Vanguard"

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("vanguard.accounts.urls")),
    path("org/", include("vanguard.organization.urls")),
    path("campaigns/", include("vanguard.campaigns.urls")),
    path("study/", include("vanguard.study.urls")),
    path("meetings/", include("vanguard.meetings.urls")),
    path("notices/", include("vanguard.notices.urls")),
    path("opinions/", include("vanguard.opinions.urls")),
    path("reviews/", include("vanguard.reviews.urls")),
    path("ballots/", include("vanguard.ballots.urls")),
    path("grading/", include("vanguard.grading.urls")),
    path("supervision/", include("vanguard.supervision.urls")),
    path("rectification/", include("vanguard.rectification.urls")),
    path("materials/", include("vanguard.materials.urls")),
    # Public pages for people without an account; namespace "opinions_public".
    path("o/", include(("vanguard.opinions.urls_public", "opinions_public"))),
    # Public card voting (no login, no cookie); namespace "ballots_public".
    path("v/", include(("vanguard.ballots.urls_public", "ballots_public"))),
    path("", include("vanguard.operations.urls")),
    path("", include("vanguard.home.urls")),
]

# The error pages in the site's layout and language (vanguard/lib/errors.py); a busy
# database answers 503 "try again" rather than 500.
handler400 = "vanguard.lib.errors.bad_request"
handler403 = "vanguard.lib.errors.permission_denied"
handler404 = "vanguard.lib.errors.page_not_found"
handler500 = "vanguard.lib.errors.server_error"
