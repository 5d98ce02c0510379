"""Sorting (梳理), further rounds and the opinion dashboard (under /opinions/)."""

from django.urls import path

from vanguard.opinions.sorting import views

urlpatterns = [
    path("sorting/", views.sorting_list, name="sorting"),
    path("sorting/<int:pk>/", views.sorting_detail, name="sorting_detail"),
    path("sorting/<int:pk>/sort/", views.sorting_sort, name="sorting_sort"),
    path("sorting/<int:pk>/set-aside/", views.sorting_set_aside, name="sorting_set_aside"),
    path("sorting/<int:pk>/merge/", views.sorting_merge, name="sorting_merge"),
    path("rounds/<int:branch_id>/open/", views.round_open, name="round_open"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
