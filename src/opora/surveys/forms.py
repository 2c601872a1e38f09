"""Forms of the data request pages. They check the shape of the input; the rules live in
``services``, whose refusals come back onto the fields through ``core.forms.attach_errors``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opora.registry.forms import DATE
from opora.registry.models import Municipality
from opora.surveys.models import FieldKind, Prefill


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Название"), max_length=300)
    description = forms.CharField(label=_("Описание"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("Срок ответа"), widget=DATE)
    everyone = forms.BooleanField(label=_("Всем муниципалитетам"), required=False, initial=True)
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Или выбранным муниципалитетам"), required=False,
        queryset=Municipality.objects.all(), widget=forms.CheckboxSelectMultiple)
    asks_providers = forms.BooleanField(
        label=_("Ответы заполняют и все организации муниципалитетов"), required=False,
        help_text=_("МОЦ проверяет ответы организаций и отправляет ответ муниципалитета с их суммой."))

    def __init__(self, *args, regional=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not regional:  # a МОЦ asks its own municipality
            del self.fields["everyone"]
            del self.fields["municipalities"]

    def survey_data(self) -> dict:
        data = self.cleaned_data
        municipalities = None
        if "municipalities" in self.fields and not data.get("everyone"):
            municipalities = [m.pk for m in data["municipalities"]]
        return {"title": data["title"], "description": data["description"],
                "deadline": data["deadline"], "municipalities": municipalities,
                "asks_providers": data["asks_providers"]}

    @staticmethod
    def initial_of(survey) -> dict:
        everyone = set(survey.addressees.values_list("pk", flat=True)) == set(
            Municipality.objects.values_list("pk", flat=True))
        return {"title": survey.title, "description": survey.description,
                "deadline": survey.deadline, "asks_providers": survey.asks_providers,
                "everyone": everyone, "municipalities": list(survey.addressees.all())}


class FieldForm(forms.Form):
    label = forms.CharField(label=_("Вопрос"), max_length=300)
    kind = forms.ChoiceField(label=_("Тип ответа"), choices=FieldKind.choices)
    options = forms.CharField(label=_("Варианты (для выбора из списка, по одному в строке)"),
                              required=False, widget=forms.Textarea(attrs={"rows": 3}))
    required = forms.BooleanField(label=_("Обязательный"), required=False)
    prefill = forms.ChoiceField(label=_("Заполнить число заранее"), choices=Prefill.choices,
                                required=False)

    def field_data(self) -> dict:
        data = self.cleaned_data
        return {"label": data["label"], "kind": data["kind"], "required": data["required"],
                "prefill": data["prefill"] or "",
                "options": [line for line in data["options"].splitlines() if line.strip()]}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "accept"), ("return", "return")])
    remarks = forms.CharField(label=_("Замечания"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
