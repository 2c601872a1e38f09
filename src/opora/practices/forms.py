from django import forms
from django.utils.translation import gettext_lazy as _

from opora.practices.models import PracticeKind, TargetGroup
from opora.registry.choices import Direction

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = {"rows": 4}


class PracticeForm(forms.Form):
    title = forms.CharField(label=_("Название практики"), max_length=300)
    authors = forms.CharField(label=_("Авторы"), max_length=500, help_text=_("Фамилии и имена через запятую."))
    direction = forms.ChoiceField(label=_("Направленность"), choices=Direction.choices)
    target_group = forms.ChoiceField(label=_("Целевая группа"), choices=TargetGroup.choices)
    kind = forms.ChoiceField(label=_("Вид практики"), choices=PracticeKind.choices)
    summary = forms.CharField(label=_("Краткое описание"), widget=forms.Textarea(attrs=TEXT))
    goals = forms.CharField(label=_("Цели и задачи"), required=False, widget=forms.Textarea(attrs=TEXT))
    resources = forms.CharField(label=_("Ресурсы"), required=False, widget=forms.Textarea(attrs=TEXT),
                                help_text=_("Кадры, помещения, оборудование, финансы."))
    results = forms.CharField(label=_("Результаты и их подтверждение"), required=False,
                              widget=forms.Textarea(attrs=TEXT),
                              help_text=_("Обязательно для подачи в МОЦ: цифры, дипломы, отзывы, документы."))
    replication = forms.CharField(label=_("Условия тиражирования"), required=False,
                                  widget=forms.Textarea(attrs=TEXT),
                                  help_text=_("Обязательно для подачи в МОЦ: что нужно другой организации, "
                                              "чтобы повторить практику."))
    links = forms.CharField(label=_("Ссылки"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("По одной на строке, только http:// или https://."))
    programs = forms.MultipleChoiceField(label=_("Связанные программы организации"), required=False,
                                         widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programs"].choices = [(p.pk, p.title) for p in programs]


class FileForm(forms.Form):
    file = forms.FileField(label=_("Файл (PDF, DOCX или XLSX)"))


class ReviewForm(forms.Form):
    experts = forms.MultipleChoiceField(label=_("Эксперты"), required=False, widget=forms.CheckboxSelectMultiple,
                                        help_text=_("Не отмечены — эксперты назначатся автоматически, сколько "
                                                    "задано в правилах экспертизы: сначала по направленности, "
                                                    "затем наименее загруженные."))
    due_on = forms.DateField(label=_("Срок экспертизы"), required=False, widget=DATE)

    def __init__(self, *args, experts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].choices = [
            (e.user_id, f"{e} ({', '.join(e.direction_labels)}; {_('в работе')}: {e.load})") for e in experts]


class RemarksForm(forms.Form):
    remarks = forms.CharField(label=_("Замечания организации"), widget=forms.Textarea(attrs={"rows": 5}))


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("Доводы апелляции"), widget=forms.Textarea(attrs={"rows": 5}),
                             help_text=_("С чем вы не согласны в выводе экспертов и замечаниях МОЦ и почему."))


class AppealDecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Решение"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        choices=[("yes", _("удовлетворить: вернуть практику на экспертизу с пересчитанным итогом")),
                 ("no", _("отклонить: возврат на доработку остаётся"))])
    answer = forms.CharField(label=_("Ответ организации"), widget=forms.Textarea(attrs={"rows": 4}))


class SettingsForm(forms.Form):
    experts_per_practice = forms.CharField(
        label=_("Экспертов на практику"), max_length=10,
        help_text=_("Столько экспертов МОЦ назначает на практику автоматически; итог — среднее их "
                    "оценок."))
    spread_limit = forms.CharField(
        label=_("Допустимое расхождение, баллов"), max_length=10,
        help_text=_("Если оценки двух экспертов по критерию расходятся больше, практику получает ещё "
                    "один эксперт, и итог считается по всем листам."))
    appeal_days = forms.CharField(label=_("Срок апелляции, дней"), max_length=10,
                                  help_text=_("Столько дней после возврата на доработку организация может "
                                              "обжаловать возврат."))
