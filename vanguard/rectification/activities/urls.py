"""Branch activities (整改活动) under /rectification/: the list per campaign, an
activity's page, its donation lines and its golden ideas."""

from django.urls import path

from vanguard.rectification.activities import views

urlpatterns = [
    path("c/<int:campaign_pk>/activities/", views.activity_list, name="activity_list"),
    path("c/<int:campaign_pk>/activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/donations/", views.donation_record, name="donation_record"),
    path("donations/<int:pk>/remove/", views.donation_remove, name="donation_remove"),
    path("activities/<int:pk>/ideas/", views.idea_submit, name="idea_submit"),
    path("ideas/<uuid:pk>/decide/", views.idea_decide, name="idea_decide"),
    path("ideas/<uuid:pk>/to-item/", views.idea_to_item, name="idea_to_item"),
]
