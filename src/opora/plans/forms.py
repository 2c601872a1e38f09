from django import forms
from django.utils.translation import gettext_lazy as _

from opora.plans.models import Audience, Channel, ItemStatus, PeriodKind, PlanKind
from opora.registry.flags import FlagsFormField


class PlanForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("Вид плана"), queryset=PlanKind.objects.all(), empty_label=None)
    period_kind = forms.ChoiceField(label=_("Период"), choices=PeriodKind.choices)
    year = forms.IntegerField(label=_("Год"), min_value=2000, max_value=2100,
                              help_text=_("Для учебного года — год его начала: 2025 означает 2025/2026."))
    title = forms.CharField(label=_("Название"), max_length=300, required=False,
                            help_text=_("Если не указано — название вида плана."))


class ImportForm(forms.Form):
    text = forms.CharField(
        label=_("Таблица плана"), required=False, widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Скопируйте таблицу из Word или PDF вместе со строкой заголовка и вставьте сюда."))
    file = forms.FileField(label=_("Или файл .docx, .xlsx или .ods"), required=False)


class ItemForm(forms.Form):
    number = forms.CharField(label=_("№ п/п"), max_length=20)
    title = forms.CharField(label=_("Наименование мероприятия"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline_text = forms.CharField(label=_("Сроки"), max_length=300, required=False,
                                    help_text=_("Как в документе: «Февраль - март», «ежемесячно», "
                                                "«до 15 марта», «01.09.2025»."))
    starts_on = forms.DateField(label=_("Начало"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                help_text=_("Заполните, если срок не распознан или нужен другой интервал."))
    ends_on = forms.DateField(label=_("Окончание"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    responsible_names = forms.CharField(label=_("Ответственные"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}),
                                        help_text=_("Должность и фамилия, по одному на строку."))
    responsible_users = forms.MultipleChoiceField(label=_("Ответственные пользователи Опоры"),
                                                  required=False)
    expected_result = forms.CharField(label=_("Ожидаемый результат"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    channel = forms.ChoiceField(label=_("Канал"), required=False,
                                choices=[("", "—"), *Channel.choices])
    audience = FlagsFormField(flags=Audience, label=_("Категории участников"), required=False)

    def __init__(self, *args, candidates=(), with_channel=False, with_audience=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_users"].choices = [
            (str(user.pk), f"{user.get_full_name()} ({user.email})") for user in candidates]
        if not with_channel:
            del self.fields["channel"]
        if not with_audience:
            del self.fields["audience"]


class MarkForm(forms.Form):
    status = forms.ChoiceField(label=_("Статус"), choices=[
        (value, label) for value, label in ItemStatus.choices if value != ItemStatus.DONE_LATE])
    done_on = forms.DateField(label=_("Дата выполнения"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                              help_text=_("Если не указана — сегодня. Позже срока — «выполнено с "
                                          "опозданием»."))
    actual_result = forms.CharField(label=_("Фактический результат"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Причина (для «не выполнено» и «отменено»)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Файл"), required=False)
    url = forms.CharField(label=_("Или ссылка"), max_length=500, required=False)
    link = forms.ChoiceField(label=_("Или документ Опоры"), required=False, choices=())
    note = forms.CharField(label=_("Описание"), max_length=300, required=False)

    def __init__(self, *args, offers=(), **kwargs):
        super().__init__(*args, **kwargs)
        grouped = {}
        for offer in offers:
            grouped.setdefault(offer.kind, []).append((offer.url, offer.title))
        self.fields["link"].choices = [("", "—"), *grouped.items()]
        if not offers:
            del self.fields["link"]


class PublicationForm(forms.Form):
    """A publication typed, or picked from the МОЦ's news on the portal (``offers``: the
    links ``plans.links.publications`` gives); what is required is the service's to say."""

    link = forms.ChoiceField(
        label=_("Новость портала"), required=False, choices=(),
        help_text=_("Дата, канал, заголовок и ссылка возьмутся из неё; иначе заполните их ниже."))
    published_on = forms.DateField(label=_("Дата"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    channel = forms.ChoiceField(label=_("Канал"), choices=Channel.choices)
    title = forms.CharField(label=_("Заголовок"), max_length=500, required=False)
    url = forms.CharField(label=_("Ссылка"), max_length=500, required=False)
    reach = forms.IntegerField(label=_("Охват"), min_value=0, required=False)

    def __init__(self, *args, offers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].choices = [("", "—"), *((offer.url, offer.title) for offer in offers)]
        if not offers:
            del self.fields["link"]


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("Дата"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    name = forms.CharField(label=_("Фамилия и инициалы"), max_length=300)
    position = forms.CharField(label=_("Должность"), max_length=300, required=False)


class RemarksForm(forms.Form):
    remarks = forms.CharField(label=_("Замечания"), widget=forms.Textarea(attrs={"rows": 3}))


class RevisionForm(forms.Form):
    reason = forms.CharField(label=_("Причина изменений"), widget=forms.Textarea(attrs={"rows": 2}))
