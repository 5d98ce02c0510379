"""The meeting record book's URLs, under /materials/ (namespace "materials")."""

from django.urls import path

from vanguard.materials.meeting_book import views

urlpatterns = [
    path("meeting-book/", views.book_index, name="meeting_book_index"),
    path(
        "c/<int:campaign_pk>/branches/<int:branch_pk>/meeting-book.pdf",
        views.book_pdf,
        name="meeting_book_pdf",
    ),
    path(
        "c/<int:campaign_pk>/branches/<int:branch_pk>/meeting-book.docx",
        views.book_docx,
        name="meeting_book_docx",
    ),
]
