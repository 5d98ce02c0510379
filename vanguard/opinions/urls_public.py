"""Public opinion pages (no account): the suggestion box and the survey links.
Included by config/urls.py under /o/ (namespace "opinions_public")."""

from vanguard.opinions.intake.urls import public_urlpatterns

urlpatterns = public_urlpatterns
