from django import forms
from django.utils.translation import gettext_lazy as _

from opora.training.models import Format, Organizer, TrainingKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EventForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("Вид"), queryset=TrainingKind.objects.all(), empty_label=None)
    title = forms.CharField(label=_("Тема"), max_length=300)
    organizer = forms.ChoiceField(label=_("Организатор"), required=False,
                                  choices=[(Organizer.MOC, _("МОЦ")),
                                           (Organizer.ORGANIZATION, _("организация муниципалитета"))])
    organization = forms.ModelChoiceField(label=_("Организация-организатор"), required=False,
                                          queryset=None, help_text=_("Если проводит организация."))
    starts_on = forms.DateField(label=_("Начало"), widget=DATE)
    ends_on = forms.DateField(label=_("Окончание"), widget=DATE, required=False,
                              help_text=_("Для однодневного мероприятия можно не заполнять."))
    time_text = forms.CharField(label=_("Время"), max_length=100, required=False,
                                help_text=_("Например: 10:00–13:00"))
    hours = forms.CharField(label=_("Часов"), max_length=10,
                            help_text=_("Учебных часов, которые войдут в сертификат: 4, 1,5, 72."))
    format = forms.ChoiceField(label=_("Формат"), choices=Format.choices)
    place = forms.CharField(label=_("Место проведения"), max_length=300, required=False)
    online_link = forms.CharField(label=_("Ссылка на трансляцию"), max_length=500, required=False)
    for_teachers = forms.BooleanField(label=_("Для педагогов"), required=False, initial=True)
    for_heads = forms.BooleanField(label=_("Для руководителей"), required=False)
    for_methodists = forms.BooleanField(label=_("Для методистов"), required=False)
    capacity = forms.IntegerField(label=_("Мест"), min_value=1)
    registration_until = forms.DateField(label=_("Запись до"), widget=DATE, required=False)
    plan_item = forms.ModelChoiceField(label=_("Пункт плана повышения квалификации"), required=False,
                                       queryset=None)
    description = forms.CharField(label=_("Описание"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, organizations=None, plan_items=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is None:
            del self.fields["organizer"], self.fields["organization"]
        else:
            self.fields["organization"].queryset = organizations
        if plan_items is None:
            del self.fields["plan_item"]
        else:
            self.fields["plan_item"].queryset = plan_items
            self.fields["plan_item"].label_from_instance = (
                lambda item: f"{item.number}. {item.title[:90]} ({item.plan.period_label})")


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Причина отмены"), max_length=1000)


class ProtocolForm(forms.Form):
    text = forms.CharField(label=_("Текст протокола"), required=False,
                           widget=forms.Textarea(attrs={"rows": 6}))
    file = forms.FileField(label=_("Файл протокола"), required=False)


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Название материала"), max_length=300)
    file = forms.FileField(label=_("Файл"), required=False)
    url = forms.CharField(label=_("Или ссылка"), max_length=500, required=False)


class ExternalForm(forms.Form):
    title = forms.CharField(label=_("Название программы"), max_length=300)
    provider_name = forms.CharField(label=_("Где обучался"), max_length=300,
                                    help_text=_("Например: Институт развития образования"))
    finished_on = forms.DateField(label=_("Дата окончания"), widget=DATE)
    hours = forms.CharField(label=_("Часов"), max_length=10)
    document = forms.CharField(label=_("Документ"), max_length=200,
                               help_text=_("Например: удостоверение о повышении квалификации № 123456"))
    file = forms.FileField(label=_("Скан документа"), required=False)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail педагога"), max_length=254,
                             help_text=_("На него придёт письмо со ссылкой, по которой педагог задаст пароль."))


class AcceptForm(forms.Form):
    password1 = forms.CharField(
        label=_("Пароль"), strip=False,
        help_text=_("Не короче 8 символов, не только цифры и не похожий на ваши имя и e-mail."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Пароль ещё раз"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    consent = forms.BooleanField(
        label=_("Даю согласие на обработку моих персональных данных"), required=False,
        help_text=_("Фамилия, имя, отчество, место работы, должность и e-mail нужны, чтобы вести вашу "
                    "учётную запись педагога и учёт повышения квалификации (Федеральный закон от "
                    "27.07.2006 № 152-ФЗ «О персональных данных»)."))

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Пароли не совпадают."))
        return data
