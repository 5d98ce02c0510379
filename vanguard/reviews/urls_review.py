"""URLs of the reviewers' side: the branch queue, one document's review, the
committee's list and the per-branch progress (included by reviews/urls.py)."""

from django.urls import path

from vanguard.reviews import views_review

urlpatterns = [
    path("queue/", views_review.review_queue, name="queue"),
    path("review/<int:pk>/", views_review.review_detail, name="review"),
    path("review/<int:pk>/grade-fact/", views_review.grade_fact, name="grade_fact"),
    path("review/<int:pk>/respond/", views_review.committee_respond, name="committee_respond"),
    path("committee/", views_review.committee_list, name="committee"),
    path("committee/respond/", views_review.committee_bulk, name="committee_bulk"),
    path("progress/", views_review.progress, name="progress"),
]
