"""Forms of the provider's back office. They check the shape of the input; the rules
live in the services, whose refusals come back onto the fields through
``attach_errors``."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from opora.core.forms import attach_errors  # noqa: F401 (its pages use f.attach_errors)
from opora.registry import services
from opora.registry.choices import Direction, FundingSource, Weekday
from opora.registry.flags import FlagsFormField
from opora.registry.models import Group, Module, Organization, Program, Specialisation, Teacher

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 4})

class FieldsetsMixin:
    """``fieldsets`` is a list of (heading, field names); templates get bound fields."""

    fieldsets: list = []

    def bound_fieldsets(self):
        return [(heading, [self[name] for name in names]) for heading, names in self.fieldsets]


def service_data(form, exclude=()) -> dict:
    """``cleaned_data`` as a service takes it: without the ``exclude``d fields (many-to-many
    ones go to the service separately), and a file as the model field stores it: a cleared
    file becomes an empty name, and an empty input with no file before is left out."""
    data = {}
    for name, value in form.cleaned_data.items():
        if name in exclude:
            continue
        if isinstance(form.fields[name], forms.FileField):
            if value is None:
                continue
            value = value or ""
        data[name] = value
    return data


# --- programs and modules -------------------------------------------------------


def _specialisation_choices():
    """Specialisations under one heading per direction (an ``<optgroup>`` each)."""
    by_direction = {}
    for item in Specialisation.objects.order_by("name"):
        by_direction.setdefault(item.direction, []).append(
            (item.pk, f"{item.name} ({_('значимая')})" if item.is_significant else item.name))
    return [("", "—")] + [(label, by_direction[value]) for value, label in Direction.choices
                          if value in by_direction]


class ProgramForm(FieldsetsMixin, forms.ModelForm):
    fieldsets = [
        (_("Основное"), ["title", "direction", "specialisation", "program_type", "levels",
                         "registers"]),
        (_("Для кого"), ["age_min", "age_max", "group_size_min", "group_size_max", "ovz_kinds",
                         "is_for_disabled"]),
        (_("Формат"), ["study_form", "is_distance", "is_network", "partners", "seasonal_kind",
                       "duration_months", "hours_total"]),
        (_("Содержание"), ["description", "goals", "expected_results", "photo"]),
        (_("Условия"), ["material_base", "address"]),
    ]

    class Meta:
        model = Program
        fields = [
            "title", "direction", "specialisation", "program_type", "levels", "registers",
            "age_min", "age_max", "group_size_min", "group_size_max", "ovz_kinds",
            "is_for_disabled", "study_form", "is_distance", "is_network", "partners",
            "seasonal_kind", "duration_months", "hours_total", "description", "goals",
            "expected_results", "photo", "material_base", "address",
        ]
        widgets = {
            "partners": forms.CheckboxSelectMultiple,
            "description": TEXT, "goals": TEXT, "expected_results": TEXT, "material_base": TEXT,
        }
        help_texts = {
            "partners": _("Для сетевой формы: организации вашего муниципалитета, с которыми "
                          "заключён договор о сетевой форме."),
            "specialisation": _("Специализация должна относиться к выбранной направленности."),
        }

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # FlagsField hands over its verbose name as is, in lower case.
            if isinstance(field, FlagsFormField):
                field.label = capfirst(field.label)
        self.fields["specialisation"].choices = _specialisation_choices()
        self.fields["partners"].queryset = services.partner_choices(organization, self.instance)


class ModuleForm(forms.ModelForm):
    class Meta:
        model = Module
        fields = ["title", "year_of_study", "hours", "description"]
        widgets = {"description": TEXT}


# --- groups ----------------------------------------------------------------------


class GroupForm(FieldsetsMixin, forms.ModelForm):
    fieldsets = [
        (_("Группа"), ["name", "start_date", "end_date", "hours_per_year", "capacity_min",
                       "capacity_max", "age_min", "age_max", "address", "is_active"]),
        (_("Педагоги"), ["teachers"]),
        (_("Запись"), ["enrolment_open", "enrolment_from", "enrolment_to",
                       "next_year_enrolment_from", "next_year_enrolment_to"]),
    ]

    class Meta:
        model = Group
        fields = [
            "name", "start_date", "end_date", "hours_per_year", "capacity_min", "capacity_max",
            "age_min", "age_max", "address", "is_active", "teachers", "enrolment_open",
            "enrolment_from", "enrolment_to", "next_year_enrolment_from", "next_year_enrolment_to",
        ]
        widgets = {
            "start_date": DATE, "end_date": DATE, "teachers": forms.CheckboxSelectMultiple,
            "enrolment_from": DATETIME, "enrolment_to": DATETIME,
            "next_year_enrolment_from": DATETIME, "next_year_enrolment_to": DATETIME,
        }
        help_texts = {
            "address": _("Если пусто — адрес программы."),
            "enrolment_from": _("Пусто — запись открыта сразу, как только включена."),
        }

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = Q(pk__in=self.instance.teachers.all()) if self.instance.pk else Q(pk__in=[])
        self.fields["teachers"].queryset = Teacher.objects.filter(
            Q(organization=organization, is_active=True) | chosen)


class ScheduleLineForm(forms.Form):
    weekdays = FlagsFormField(flags=Weekday, required=False, label=_("Дни недели"))
    time_from = forms.TimeField(label=_("Время с"), widget=TIME)
    time_to = forms.TimeField(label=_("Время до"), widget=TIME)
    lesson_minutes = forms.IntegerField(label=_("Занятие, минут"), initial=45, min_value=1)
    break_minutes = forms.IntegerField(label=_("Перерыв, минут"), initial=10, min_value=0)
    address = forms.CharField(label=_("Адрес"), max_length=500, required=False)


class FundingLineForm(forms.Form):
    source = forms.ChoiceField(label=_("Источник"),
                               choices=[("", "—"), *FundingSource.choices])
    monthly_price = forms.DecimalField(label=_("Стоимость в месяц, ₽"), min_value=0,
                                       max_digits=14, decimal_places=2, required=False)
    total_price = forms.DecimalField(label=_("Стоимость обучения, ₽"), min_value=0,
                                     max_digits=14, decimal_places=2, required=False)

    def clean(self):
        data = super().clean()
        for name in ("monthly_price", "total_price"):
            if name in data and data[name] is None:
                data[name] = Decimal("0")
        return data


class BaseLineFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Удалить строку")


ScheduleFormSet = forms.formset_factory(ScheduleLineForm, formset=BaseLineFormSet, extra=2,
                                        can_delete=True)
FundingFormSet = forms.formset_factory(FundingLineForm, formset=BaseLineFormSet, extra=2,
                                       can_delete=True)

LINE_FORMSETS = {"schedule": ScheduleFormSet, "funding": FundingFormSet}


def filled_rows(formset) -> list:
    """The rows that go to the service: existing lines and filled-in new ones, less those
    marked for deletion."""
    rows = []
    for index, form in enumerate(formset.forms):
        if form.cleaned_data.get("DELETE"):
            continue
        if index < formset.initial_form_count() or form.has_changed():
            rows.append(form)
    return rows


def schedule_initial(group: Group) -> list[dict]:
    return [{"weekdays": line.weekdays, "time_from": line.time_from, "time_to": line.time_to,
             "lesson_minutes": line.lesson_minutes, "break_minutes": line.break_minutes,
             "address": line.address} for line in group.schedule.all()]


def funding_initial(group: Group) -> list[dict]:
    """The financing the provider offers now: a proposal waiting for the МОЦ, if any,
    else the published lines."""
    lines = list(group.proposed_funding.order_by("pk")) or list(group.funding.order_by("pk"))
    return [{"source": line.source, "monthly_price": line.monthly_price,
             "total_price": line.total_price} for line in lines]


# --- teachers ----------------------------------------------------------------------


class TeacherForm(forms.ModelForm):
    class Meta:
        model = Teacher
        fields = ["last_name", "first_name", "patronymic", "position", "education", "category",
                  "is_active"]
