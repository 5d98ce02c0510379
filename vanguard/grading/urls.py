from django.urls import path

from vanguard.grading import views, views_registration

app_name = "grading"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:campaign_pk>/rule/", views.rule, name="rule"),
    path("<int:campaign_pk>/branch/<int:branch_pk>/", views.branch, name="branch"),
    path("<int:campaign_pk>/branch/<int:branch_pk>/submit/", views.submit, name="submit"),
    path("<int:campaign_pk>/branch/<int:branch_pk>/decide/", views.decide, name="decide"),
    path("case/<int:pk>/", views.case, name="case"),
    path("case/<int:pk>/<slug:step>/", views.case_step, name="case_step"),
    # The member appraisal registration form (党员评议登记表).
    path(
        "<int:campaign_pk>/members/<int:member_pk>/registration.pdf",
        views_registration.member_pdf,
        name="registration_pdf",
    ),
    path(
        "<int:campaign_pk>/members/<int:member_pk>/registration.docx",
        views_registration.member_docx,
        name="registration_docx",
    ),
    path(
        "<int:campaign_pk>/branch/<int:branch_pk>/registration.pdf",
        views_registration.branch_pdf,
        name="registration_branch_pdf",
    ),
]
