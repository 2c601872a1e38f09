"""The parent's registration form. It checks the shape of the input and that the two
passwords match; the rules (a strong password, the consent) are in
``accounts.services.register_parent``, whose refusals come back onto the fields (a taken
e-mail is not one of them: it is never told)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _


class RegistrationForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Муниципалитет, где вы живёте"), queryset=None, empty_label="—")
    last_name = forms.CharField(label=_("Фамилия"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    first_name = forms.CharField(label=_("Имя"), max_length=150,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    patronymic = forms.CharField(label=_("Отчество"), max_length=150, required=False,
                                 widget=forms.TextInput(attrs={"autocomplete": "additional-name"}))
    phone = forms.CharField(label=_("Телефон"), max_length=30, widget=forms.TextInput(
        attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}))
    email = forms.EmailField(label=_("E-mail"), max_length=254,
                             help_text=_("На него придёт письмо со ссылкой для подтверждения."),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1 = forms.CharField(
        label=_("Пароль"), strip=False,
        help_text=_("Не короче 8 символов, не только цифры и не похожий на ваши имя и e-mail."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Пароль ещё раз"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    consent = forms.BooleanField(
        label=_("Даю согласие на обработку моих персональных данных"), required=False,
        help_text=_("Фамилия, имя, отчество, телефон, e-mail и муниципалитет нужны, чтобы вести "
                    "ваш личный кабинет и сообщать о заявках (Федеральный закон от 27.07.2006 "
                    "№ 152-ФЗ «О персональных данных»). Согласие можно отозвать, обратившись "
                    "в муниципальный опорный центр."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The municipalities are the registry's, above this app: reached through the
        # account's own foreign key rather than an import.
        municipality = get_user_model()._meta.get_field("municipality").related_model
        self.fields["municipality"].queryset = municipality.objects.order_by("name")

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Пароли не совпадают."))
        return data

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {"email": data["email"], "password": data["password1"],
                "last_name": data["last_name"], "first_name": data["first_name"],
                "patronymic": data["patronymic"], "phone": data["phone"],
                "municipality": data["municipality"], "consent": data["consent"]}
