"""Forms of the mailing pages; the rules live in ``services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opora.registry.choices import Direction, OrganizationKind


class MailingForm(forms.Form):
    subject = forms.CharField(label=_("Тема письма"), max_length=200)
    body = forms.CharField(label=_("Текст письма"), max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 10}),
                           help_text=_("Обычный текст. Ссылка для отказа от рассылки добавится "
                                       "в конец каждого письма сама."))
    to_providers = forms.BooleanField(label=_("Организациям (на e-mail организации)"), required=False)
    to_staff = forms.BooleanField(label=_("Сотрудникам организаций (на их e-mail в системе)"),
                                  required=False)
    provider_kinds = forms.MultipleChoiceField(
        label=_("Только организациям этих типов"), required=False,
        choices=OrganizationKind.choices, widget=forms.CheckboxSelectMultiple)
    directions = forms.MultipleChoiceField(
        label=_("Только организациям с программами этих направленностей"), required=False,
        choices=Direction.choices, widget=forms.CheckboxSelectMultiple)
    to_parents = forms.BooleanField(label=_("Родителям, согласившимся получать новости"),
                                    required=False)


class ConsentForm(forms.Form):
    agree = forms.BooleanField(label=_("Получать новости и объявления опорного центра на e-mail"),
                               required=False)
