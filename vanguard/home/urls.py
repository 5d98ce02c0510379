from django.urls import path

from vanguard.home import views

urlpatterns = [
    path("", views.home, name="home"),
]
