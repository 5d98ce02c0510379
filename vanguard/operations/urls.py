"""Operator endpoints (no login, no data): see the README's deployment section."""

from django.urls import path

from vanguard.operations import views

app_name = "operations"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
