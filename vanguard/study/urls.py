"""URLs of the study app."""

app_name = "study"

urlpatterns: list = []
