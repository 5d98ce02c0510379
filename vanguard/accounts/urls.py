from django.contrib.auth import views as auth_views
from django.urls import include, path

from vanguard.accounts import views, views_cas

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # Single sign-on (统一身份认证): 404 while CAS is off. The login URL is also the
    # service URL CAS sends the browser back to with its ticket, and where CAS posts
    # its single-logout message.
    path("cas/login/", views_cas.CASLoginView.as_view(), name="cas_login"),
    path("cas/logout/", views_cas.CASLogoutView.as_view(), name="cas_logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url="/accounts/password/done/",
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("tokens/", include("vanguard.accounts.urls_tokens")),
]
