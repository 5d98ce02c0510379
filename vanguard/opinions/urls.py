"""URLs of the opinions app: sorting, feedback, records (login required)."""

app_name = "opinions"

urlpatterns: list = []

from vanguard.opinions import urls_feedback  # noqa: E402

urlpatterns += urls_feedback.urlpatterns

from vanguard.opinions import urls_sorting  # noqa: E402

urlpatterns += urls_sorting.urlpatterns

from vanguard.opinions import urls_intake  # noqa: E402

urlpatterns += urls_intake.urlpatterns

from vanguard.opinions import urls_email  # noqa: E402

urlpatterns += urls_email.urlpatterns
