"""URLs of the group-chat robots page, inside the notices app's namespace."""

from django.urls import path

from vanguard.notices.chat import views

urlpatterns = [
    path("chat/", views.robots, name="chat_robots"),
    path("chat/<int:pk>/test/", views.robot_test, name="chat_robot_test"),
    path("chat/<int:pk>/active/", views.robot_active, name="chat_robot_active"),
    path("chat/<int:pk>/delete/", views.robot_delete, name="chat_robot_delete"),
]
