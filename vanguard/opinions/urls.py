"""URLs of the opinions app: sorting, feedback, records (login required)."""

app_name = "opinions"

urlpatterns: list = []
