from django import forms
from django.utils.translation import gettext_lazy as _

from opora.events.models import EventKind, EventLevel, MeasureKind, Result
from opora.registry.choices import Direction

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EventForm(forms.Form):
    title = forms.CharField(label=_("Название"), max_length=300)
    kind = forms.ModelChoiceField(label=_("Вид"), queryset=EventKind.objects.all(), empty_label=None)
    level = forms.ChoiceField(label=_("Уровень"), choices=EventLevel.choices, initial=EventLevel.MUNICIPAL)
    direction = forms.ChoiceField(label=_("Направленность"), choices=Direction.choices)
    age_from = forms.IntegerField(label=_("Возраст участников от, лет"), min_value=3, max_value=18)
    age_to = forms.IntegerField(label=_("до, лет"), min_value=3, max_value=18)
    capacity = forms.IntegerField(label=_("Мест"), min_value=1,
                                  help_text=_("Когда места закончатся, дети встанут в лист ожидания."))
    is_free = forms.BooleanField(label=_("Бесплатно"), required=False, initial=True)
    price = forms.DecimalField(label=_("Стоимость участия, ₽"), required=False, min_value=0,
                               max_digits=14, decimal_places=2)
    registration_from = forms.DateTimeField(label=_("Запись открывается"), widget=DATETIME)
    registration_to = forms.DateTimeField(label=_("Запись закрывается"), widget=DATETIME)
    teams = forms.BooleanField(label=_("Можно записать команду"), required=False)
    description = forms.CharField(label=_("Описание"), widget=forms.Textarea(attrs={"rows": 6}))
    poster = forms.ImageField(label=_("Афиша"), required=False,
                              help_text=_("JPEG или PNG; уменьшается до 1200 точек по большей стороне."))
    regulations = forms.FileField(label=_("Положение о мероприятии"), required=False,
                                  help_text=_("PDF или документ Word."))
    nominations = forms.CharField(label=_("Номинации"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("По одной на строку."))
    age_categories = forms.CharField(
        label=_("Возрастные категории"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("По одной на строку: «Младшая группа; 7; 10» — название, возраст от, до."))

    def clean_age_categories(self):
        rows = []
        for number, line in enumerate((self.cleaned_data["age_categories"] or "").splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            try:
                title, lo, hi = parts[0], int(parts[1]), int(parts[2])
            except (IndexError, ValueError):
                raise forms.ValidationError(
                    _("Строка %(n)s: нужно «название; от; до», например «Младшая группа; 7; 10».")
                    % {"n": number}) from None
            rows.append({"title": title[:100], "age_from": lo, "age_to": hi})
        return rows

    def clean_nominations(self):
        return [line.strip() for line in (self.cleaned_data["nominations"] or "").splitlines()
                if line.strip()]


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Начало"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Окончание"), widget=DATETIME)
    place = forms.CharField(label=_("Место проведения"), max_length=300, required=False)
    online_url = forms.URLField(label=_("Ссылка на трансляцию"), required=False, assume_scheme="https")


SessionFormSet = forms.formset_factory(SessionForm, extra=2, max_num=20)


class RemarkForm(forms.Form):
    remark = forms.CharField(label=_("Что исправить"), widget=forms.Textarea(attrs={"rows": 3}))


class ResultForm(forms.Form):
    result = forms.ChoiceField(label=_("Результат"), choices=[c for c in Result.choices if c[0]])


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("С"), widget=DATE)
    date_to = forms.DateField(label=_("По"), widget=DATE)


class NominateForm(forms.Form):
    child = forms.TypedChoiceField(label=_("Обучающийся"), coerce=int)
    direction = forms.ChoiceField(label=_("Направленность"), choices=Direction.choices)
    mentor = forms.TypedChoiceField(label=_("Педагог-наставник"), coerce=int, required=False,
                                    empty_value=None)
    grounds = forms.CharField(label=_("Обоснование"), widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Достижения, результаты, рекомендации педагогов."))

    def __init__(self, *args, pupils=(), teachers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [(c.pk, f"{c.full_name}, {c.birth_date:%d.%m.%Y}") for c in pupils]
        self.fields["mentor"].choices = [("", "—"), *[(t.pk, t.full_name) for t in teachers]]


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Мера поддержки"), choices=MeasureKind.choices)
    title = forms.CharField(label=_("Содержание"), max_length=300)
    starts_on = forms.DateField(label=_("С"), widget=DATE)
    ends_on = forms.DateField(label=_("По"), widget=DATE, required=False)
