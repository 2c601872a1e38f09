"""Forms of the hotline pages. They check the shape of the input; the rules live in
``services``, whose refusals come back onto the fields through ``core.forms.attach_errors``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opora.hotline.models import Topic
from opora.registry.models import Municipality

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACCEPT = ".pdf,.docx,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class AskForm(forms.Form):
    name = forms.CharField(label=_("Как к вам обращаться"), max_length=200,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                            help_text=_("На него придёт ответ."))
    phone = forms.CharField(label=_("Телефон"), required=False, max_length=30,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
                            help_text=_("Если удобнее получить ответ по телефону."))
    municipality = forms.ModelChoiceField(label=_("Муниципалитет"), queryset=Municipality.objects.none(),
                                          empty_label=_("— выберите —"))
    topic = forms.ChoiceField(label=_("Тема"), choices=[("", _("— выберите —")), *Topic.choices])
    text = forms.CharField(label=_("Вопрос"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 6, "maxlength": 5000}))
    attachment = forms.FileField(label=_("Файл (необязательно)"), required=False,
                                 widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
                                 help_text=_("PDF, DOCX, JPG или PNG, не больше 5 МБ."))
    consent = forms.BooleanField(label=_("Согласен на обработку моих персональных данных, чтобы "
                                         "получить ответ на вопрос"))

    def __init__(self, *args, signed_in=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.order_by("name")
        if signed_in:  # the account gives the name and the e-mail; consent was given on sign-up
            for name in ("name", "email", "phone", "consent"):
                del self.fields[name]

    def question_data(self) -> dict:
        data = self.cleaned_data
        result = {"topic": data["topic"], "text": data["text"],
                  "municipality": data["municipality"].pk if data.get("municipality") else None}
        for key in ("name", "email", "phone"):
            if key in self.fields:
                result[key] = data.get(key, "")
        return result


class CallForm(forms.Form):
    name = forms.CharField(label=_("Кто звонил"), max_length=200)
    phone = forms.CharField(label=_("Телефон"), required=False, max_length=30,
                            widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254,
                            widget=forms.EmailInput())
    topic = forms.ChoiceField(label=_("Тема"), choices=[("", _("— выберите —")), *Topic.choices])
    text = forms.CharField(label=_("Вопрос"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))

    def question_data(self) -> dict:
        return dict(self.cleaned_data)


class TextForm(forms.Form):
    text = forms.CharField(label=_("Текст"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))


class FaqForm(forms.Form):
    title = forms.CharField(label=_("Вопрос"), max_length=300,
                            help_text=_("Сформулируйте вопрос так, чтобы в нём не осталось "
                                        "имён, адресов, телефонов и номеров документов."))
    body = forms.CharField(label=_("Ответ"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))
    topic = forms.ChoiceField(label=_("Тема"), choices=Topic.choices)


class DeskForm(forms.Form):
    phone = forms.CharField(label=_("Телефон горячей линии"), required=False, max_length=50)
    hours = forms.CharField(label=_("Часы работы"), required=False, max_length=200)
    head_name = forms.CharField(label=_("Руководитель МОЦ"), required=False, max_length=200)
    head_email = forms.CharField(label=_("E-mail руководителя для извещений о просрочках"),
                                 required=False, max_length=254, widget=forms.EmailInput(),
                                 help_text=_("Если не указан, извещения получает руководитель МОЦ, "
                                             "а пока он не отмечен — все операторы МОЦ."))


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("Дата"), widget=DATE)
    is_working = forms.TypedChoiceField(
        label=_("День"), coerce=lambda v: v == "1",
        choices=[("0", _("нерабочий (праздник или перенос)")),
                 ("1", _("рабочий (перенесённая суббота или воскресенье)"))])
    note = forms.CharField(label=_("Пояснение"), required=False, max_length=200)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("С"), widget=DATE)
    end = forms.DateField(label=_("По"), widget=DATE)
