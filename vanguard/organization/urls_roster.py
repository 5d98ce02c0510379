"""Roster import and export URLs (included under org/roster/, namespace "organization")."""

urlpatterns: list = []
