"""Operator endpoints (no login, no data): see the README's deployment section."""

from django.urls import path  # noqa: F401

app_name = "operations"
urlpatterns: list = []
