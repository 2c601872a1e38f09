from django import forms
from django.utils.translation import gettext_lazy as _

from opora.registry.choices import Direction

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Название"), max_length=300)
    starts_on = forms.DateField(label=_("Начало"), widget=DATE)
    ends_on = forms.DateField(label=_("Окончание"), widget=DATE)
    scoring_deadline = forms.DateField(label=_("Срок экспертизы"), widget=DATE,
                                       help_text=_("Последний день, когда эксперты заполняют листы."))
    criteria_set = forms.ModelChoiceField(label=_("Набор критериев"), queryset=None, empty_label=None)
    experts_per_program = forms.IntegerField(label=_("Экспертов на программу"), min_value=1, max_value=10,
                                             initial=3)
    spread_limit = forms.DecimalField(
        label=_("Допустимое расхождение оценок, баллов"), min_value=0, max_value=100, initial=1,
        help_text=_("Если два эксперта разошлись по критерию больше, назначается ещё один."))
    appeal_days = forms.IntegerField(label=_("Срок апелляции, дней"), min_value=1, max_value=90, initial=10)
    exclude_same_founder = forms.BooleanField(
        label=_("Не назначать экспертов из организаций того же учредителя"), required=False)
    applications_open = forms.BooleanField(label=_("Организации могут подавать заявки"), required=False,
                                           initial=True)

    def __init__(self, *args, criteria_sets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria_set"].queryset = criteria_sets


class IncludeForm(forms.Form):
    programs = forms.MultipleChoiceField(label=_("Программы"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programs"].choices = [
            (p.pk, f"{p.title} — {p.organization.short_name}") for p in programs]


class AssignForm(forms.Form):
    expert = forms.ChoiceField(label=_("Эксперт"))

    def __init__(self, *args, experts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].choices = [(e.user_id, f"{e} ({', '.join(e.direction_labels)})") for e in experts]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Причина"), widget=forms.Textarea(attrs={"rows": 2}))


class RemarksForm(forms.Form):
    remarks = forms.CharField(label=_("Замечания организации"), required=False,
                              widget=forms.Textarea(attrs={"rows": 6}))


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("Доводы апелляции"), widget=forms.Textarea(attrs={"rows": 5}),
                             help_text=_("С какими оценками вы не согласны и почему."))


class AppealDecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Решение"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        choices=[("yes", _("удовлетворить: пересчитать результат с листом нового эксперта")),
                 ("no", _("отклонить: результат остаётся"))])
    answer = forms.CharField(label=_("Ответ организации"), widget=forms.Textarea(attrs={"rows": 4}))


class ExpertForm(forms.Form):
    user = forms.ChoiceField(label=_("Пользователь с ролью «Эксперт»"))
    organization = forms.ChoiceField(label=_("Место работы"), required=False)
    position = forms.CharField(label=_("Должность"), max_length=300, required=False)
    directions = forms.MultipleChoiceField(label=_("Направленности"), choices=Direction.choices,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, users, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [(u.pk, f"{u.get_full_name() or u.email} — {u.email}") for u in users]
        self.fields["organization"].choices = [("", _("— не указано —"))] + [
            (o.pk, o.short_name) for o in organizations]


class SettingsForm(forms.Form):
    passed_required_for_certification = forms.BooleanField(
        label=_("Сертифицировать для финансирования по сертификату только программы, прошедшие "
                "независимую оценку качества"), required=False)


class CriteriaSetForm(forms.Form):
    title = forms.CharField(label=_("Название"), max_length=300)
    pass_threshold = forms.DecimalField(label=_("Порог «соответствует», %"), min_value=0, max_value=100)
    revise_threshold = forms.DecimalField(label=_("Порог «на доработку», %"), min_value=0, max_value=100,
                                          help_text=_("Ниже — «не соответствует»."))


class CriterionForm(forms.Form):
    title = forms.CharField(label=_("Критерий"), max_length=300, required=False)
    description = forms.CharField(label=_("Что оценивается"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    scale_max = forms.IntegerField(label=_("Наибольший балл"), min_value=1, max_value=100, initial=2)
    weight = forms.DecimalField(label=_("Вес"), min_value=0, max_value=100, initial=1)
    is_knock_out = forms.BooleanField(label=_("Критерий-стоп"), required=False)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2)


MARK_LABELS = [
    ("results", _("Результаты достигнуты"),
     _("Ребёнок научился тому, что обещала программа.")),
    ("staff", _("Педагоги и наполняемость группы — как заявлено"),
     _("Занятия вели заявленные педагоги, в группе было столько детей, сколько указано.")),
    ("means", _("Средства обучения"),
     _("Помещение, оборудование, материалы и пособия.")),
    ("overall", _("Общая удовлетворённость"), _("Насколько вы довольны программой в целом.")),
]


class RatingRulesForm(forms.Form):
    weight_results = forms.DecimalField(label=_("Вес «результаты достигнуты»"), min_value=0, max_value=1,
                                        decimal_places=2)
    weight_staff = forms.DecimalField(label=_("Вес «педагоги и наполняемость»"), min_value=0, max_value=1,
                                      decimal_places=2)
    weight_means = forms.DecimalField(label=_("Вес «средства обучения»"), min_value=0, max_value=1,
                                      decimal_places=2)
    weight_overall = forms.DecimalField(label=_("Вес «общая удовлетворённость»"), min_value=0, max_value=1,
                                        decimal_places=2)
    early_penalty = forms.DecimalField(
        label=_("Штраф за досрочные расторжения, баллов"), min_value=0, max_value=5, decimal_places=2,
        help_text=_("Вычитается, умноженный на долю договоров, досрочно расторгнутых по заявлению родителей."))
    min_share = forms.DecimalField(
        label=_("Минимальная доля оценивших, %"), min_value=0, max_value=100, decimal_places=2,
        help_text=_("Доля зачислений, дающих право оценить программу, по которым оценка поставлена."))
    min_ratings = forms.IntegerField(label=_("Минимум оценок"), min_value=1, max_value=1000)
