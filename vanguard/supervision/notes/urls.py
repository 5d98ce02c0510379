"""Pages of the note workflow: samples, reading queues and assessments, note types,
exemplars and the figures (namespace "supervision")."""

from django.urls import path

from vanguard.supervision.notes import views

urlpatterns = [
    path("c/<int:campaign_pk>/samples/", views.samples, name="samples"),
    path("c/<int:campaign_pk>/samples/new/", views.sample_new, name="sample_new"),
    path("samples/<int:pk>/", views.sample_detail, name="sample_detail"),
    path("c/<int:campaign_pk>/queue/", views.queue, name="queue"),
    path("sampled/<int:pk>/", views.sampled_detail, name="sampled_detail"),
    path(
        "c/<int:campaign_pk>/members/<int:member_pk>/assess/",
        views.gb_assess,
        name="gb_assess",
    ),
    path("c/<int:campaign_pk>/note-types/", views.note_types, name="note_types"),
    path("note-types/<int:pk>/edit/", views.note_type_edit, name="note_type_edit"),
    path("c/<int:campaign_pk>/exemplars/", views.exemplars, name="exemplars"),
    path("c/<int:campaign_pk>/exemplars/new/", views.exemplar_new, name="exemplar_new"),
    path("exemplars/<int:pk>/", views.exemplar_detail, name="exemplar_detail"),
    path("exemplars/<int:pk>/withdraw/", views.exemplar_withdraw, name="exemplar_withdraw"),
    path("c/<int:campaign_pk>/notes/figures/", views.note_figures, name="note_figures"),
]
