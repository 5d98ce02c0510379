"""URLs of the e-mail channel (电子信箱), included into `opinions.urls`."""

from django.urls import path

from vanguard.opinions import views_email

urlpatterns = [
    path("mail/", views_email.mailbox_list, name="email_mailboxes"),
    path("mail/add/", views_email.mailbox_form, name="email_mailbox_add"),
    path("mail/<int:pk>/edit/", views_email.mailbox_form, name="email_mailbox_edit"),
    path("mail/<int:pk>/poll/", views_email.mailbox_poll, name="email_mailbox_poll"),
    path("mail/upload/", views_email.eml_upload, name="email_upload"),
    path("mail/attachments/<int:pk>/", views_email.attachment_download, name="email_attachment"),
]
