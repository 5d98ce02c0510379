"""Public opinion pages (no account): suggestion box and survey links."""

urlpatterns: list = []
