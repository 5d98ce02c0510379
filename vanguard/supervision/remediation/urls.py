"""Make-up work (补课), guidance (面对面指导) and the lagging branches, under
/supervision/."""

from django.urls import path

from vanguard.supervision.remediation import views

urlpatterns = [
    path("c/<int:campaign_pk>/orders/", views.orders, name="orders"),
    path("c/<int:campaign_pk>/orders/new/", views.order_new, name="order_new"),
    path("orders/mine/", views.orders_mine, name="orders_mine"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/report/", views.order_report, name="order_report"),
    path("orders/<int:pk>/verify/", views.order_verify, name="order_verify"),
    path("c/<int:campaign_pk>/guidance/", views.guidance, name="guidance"),
    path("c/<int:campaign_pk>/guidance/new/", views.guidance_new, name="guidance_new"),
    path("guidance/<int:pk>/", views.guidance_detail, name="guidance_detail"),
    path("c/<int:campaign_pk>/lagging/", views.lagging, name="lagging"),
]
