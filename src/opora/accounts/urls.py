from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from opora.accounts import views

app_name = "accounts"


def _form(title, **kwargs):
    """Django's own auth views on one plain form template with a page title."""
    return {"template_name": "accounts/form.html", "extra_context": {"title": title}, **kwargs}


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(
        **_form(_("Смена пароля"), success_url=reverse_lazy("accounts:password_change_done"))),
        name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(
        **_form(_("Пароль изменён"))), name="password_change_done"),
    path("password/reset/", auth_views.PasswordResetView.as_view(
        **_form(_("Восстановление пароля"),
                email_template_name="accounts/email/password_reset.txt",
                subject_template_name="accounts/email/password_reset_subject.txt",
                success_url=reverse_lazy("accounts:password_reset_done"))),
        name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        **_form(_("Письмо отправлено"))), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        **_form(_("Новый пароль"), success_url=reverse_lazy("accounts:password_reset_complete"))),
        name="password_reset_confirm"),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(
        **_form(_("Пароль установлен"))), name="password_reset_complete"),
]

# A parent's own registration and the e-mail confirmation (opora.accounts.views).
urlpatterns += [
    path("register/", views.register, name="register"),
    path("register/sent/", views.register_done, name="register_done"),
    path("confirm/resend/", views.resend_confirmation, name="resend_confirmation"),
    path("confirm/<uidb64>/<token>/", views.confirm_email, name="confirm_email"),
]
