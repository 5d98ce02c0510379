"""Sorting (梳理), further rounds and the opinion dashboard (under /opinions/)."""

from django.urls import path

from vanguard.opinions import views_dashboard, views_sorting

urlpatterns = [
    path("sorting/", views_sorting.sorting_list, name="sorting"),
    path("sorting/<int:pk>/", views_sorting.sorting_detail, name="sorting_detail"),
    path("sorting/<int:pk>/sort/", views_sorting.sorting_sort, name="sorting_sort"),
    path("sorting/<int:pk>/set-aside/", views_sorting.sorting_set_aside, name="sorting_set_aside"),
    path("sorting/<int:pk>/merge/", views_sorting.sorting_merge, name="sorting_merge"),
    path("rounds/<int:branch_id>/open/", views_sorting.round_open, name="round_open"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
]
