"""Public opinion pages (no account): suggestion box and survey links."""

urlpatterns: list = []

from vanguard.opinions import urls_public_intake  # noqa: E402

urlpatterns += urls_public_intake.urlpatterns
