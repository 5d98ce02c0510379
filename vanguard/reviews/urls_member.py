"""The member's editor, a document's history and version comparison."""

from django.urls import path

from vanguard.reviews import views_member as views

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("mine/autosave/", views.autosave, name="mine_autosave"),
    path("documents/<int:pk>/history/", views.history, name="history"),
    path("documents/<int:pk>/versions/<int:number>/", views.version_detail, name="version"),
    path("documents/<int:pk>/compare/", views.compare, name="compare"),
]
