"""Everything under /accounts/. Django's own auth URLs are not included: each of its views
that visavis offers is wired here, so none is reachable without our checks."""

from django.urls import path

from visavis.accounts import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_code, name="login-code"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("", views.account, name="account"),
    path("second-factor/", views.second_factor_setup, name="account-second-factor"),
    path(
        "second-factor/off/", views.second_factor_disable, name="account-second-factor-disable"
    ),
    path("second-factor/recovery-codes/", views.recovery_codes, name="account-recovery-codes"),
    path("logout-everywhere/", views.logout_everywhere, name="account-logout-everywhere"),
    path("email/", views.change_email, name="account-email"),
    path("name/", views.change_display_name, name="account-display-name"),
    path("alive/", views.keep_alive, name="account-keep-alive"),
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password_reset/done/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
]
