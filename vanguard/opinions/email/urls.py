"""URLs of the e-mail channel (电子信箱), included into `opinions.urls`."""

from django.urls import path

from vanguard.opinions.email import views

urlpatterns = [
    path("mail/", views.mailbox_list, name="email_mailboxes"),
    path("mail/add/", views.mailbox_form, name="email_mailbox_add"),
    path("mail/<int:pk>/edit/", views.mailbox_form, name="email_mailbox_edit"),
    path("mail/<int:pk>/poll/", views.mailbox_poll, name="email_mailbox_poll"),
    path("mail/upload/", views.eml_upload, name="email_upload"),
    path("mail/attachments/<int:pk>/", views.attachment_download, name="email_attachment"),
]
