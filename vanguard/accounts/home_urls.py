from django.urls import path

from vanguard.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
]
