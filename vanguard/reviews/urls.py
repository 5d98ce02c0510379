"""URLs of the reviews app."""

app_name = "reviews"

urlpatterns: list = []

from vanguard.reviews import urls_review  # noqa: E402

urlpatterns += urls_review.urlpatterns

from vanguard.reviews import urls_member  # noqa: E402

urlpatterns += urls_member.urlpatterns
