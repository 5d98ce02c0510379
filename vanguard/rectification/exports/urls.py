"""The exports' URLs, under /rectification/ (namespace "rectification")."""

from django.urls import path

from vanguard.rectification.exports import views

urlpatterns = [
    path("plans/<int:pk>/export/pdf/", views.plan_pdf, name="plan_export_pdf"),
    path("plans/<int:pk>/export/xlsx/", views.plan_xlsx, name="plan_export_xlsx"),
]
