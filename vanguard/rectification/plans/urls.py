"""The plans workflow's pages, under /rectification/ (namespace "rectification")."""

from django.urls import path

from vanguard.rectification.plans import views

urlpatterns = [
    path("plans/mine/", views.my_plan, name="my_plan"),
    path("plans/mine/items/new/", views.my_item_new, name="my_item_new"),
    path("c/<int:campaign_pk>/plans/", views.campaign_plans, name="campaign_plans"),
    path("c/<int:campaign_pk>/plans/start/", views.plan_start, name="plan_start"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/items/new/", views.item_new, name="item_new"),
    path("plans/<int:pk>/submit/", views.plan_submit, name="plan_submit"),
    path("plans/<int:pk>/review/", views.plan_review, name="plan_review"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("items/<int:pk>/status/", views.item_status, name="item_status"),
    path("items/<int:pk>/updates/new/", views.update_new, name="update_new"),
    path("items/<int:pk>/verify/", views.item_verify, name="item_verify"),
    path("updates/<int:pk>/evidence/", views.update_evidence, name="update_evidence"),
]
