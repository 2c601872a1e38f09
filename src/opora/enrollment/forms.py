"""Forms of enrolment pages. They check the shape of the input; the rules (consent,
identity, gates, transitions) live in the services, whose refusals come back onto the
fields through ``core.forms.attach_errors``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opora.enrollment.models import ApplicationStatus, Child, Sex
from opora.registry.forms import DATE
from opora.registry.models import Group, Program

SNILS_HELP = _("Необязательно. 11 цифр, можно с дефисами и пробелами: 112-233-445 95.")


def _model_field(name, **kwargs):
    return Child._meta.get_field(name).formfield(**kwargs)


def format_snils(digits: str) -> str:
    if len(digits or "") != 11:
        return digits or ""
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}"


class ChildForm(forms.Form):
    """A child's card as the services take it (``children.CHILD_FIELDS``)."""

    last_name = _model_field("last_name", widget=forms.TextInput(attrs={"autocomplete": "off"}))
    first_name = _model_field("first_name", widget=forms.TextInput(attrs={"autocomplete": "off"}))
    patronymic = _model_field("patronymic", widget=forms.TextInput(attrs={"autocomplete": "off"}))
    birth_date = _model_field("birth_date", widget=DATE)
    sex = forms.ChoiceField(label=_("Пол"), choices=Sex.choices, widget=forms.RadioSelect)
    municipality = _model_field("municipality", empty_label="—")
    is_rural = _model_field("is_rural")
    has_ovz = _model_field("has_ovz")
    is_disabled = _model_field("is_disabled")
    difficult_situation = _model_field("difficult_situation")
    # Longer than the 11 stored digits: people type the dashes and the space.
    snils = forms.CharField(label=_("СНИЛС"), max_length=20, required=False, help_text=SNILS_HELP,
                            widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                          "autocomplete": "off"}))

    CHILD_FIELDS = ("last_name", "first_name", "patronymic", "birth_date", "sex", "municipality",
                    "is_rural", "has_ovz", "is_disabled", "difficult_situation", "snils")

    @classmethod
    def initial_of(cls, child: Child) -> dict:
        initial = {name: getattr(child, name) for name in cls.CHILD_FIELDS}
        initial["snils"] = format_snils(child.snils)
        return initial

    def child_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.CHILD_FIELDS}


class ConsentMixin(forms.Form):
    # Not required here: the service refuses without it, with its own message.
    consent = forms.BooleanField(
        label=_("Даю согласие на обработку персональных данных ребёнка"), required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "consent-text"}))


class NewChildForm(ChildForm, ConsentMixin):
    field_order = [*ChildForm.CHILD_FIELDS, "consent"]


class WalkInForm(ChildForm, ConsentMixin):
    """A child brought in person, the parent's contacts, and the group."""

    group = forms.ModelChoiceField(label=_("Группа"), queryset=Group.objects.none(),
                                   empty_label="—")
    parent_last_name = forms.CharField(label=_("Фамилия родителя"), max_length=150)
    parent_first_name = forms.CharField(label=_("Имя родителя"), max_length=150)
    parent_patronymic = forms.CharField(label=_("Отчество родителя"), max_length=150,
                                        required=False)
    parent_phone = forms.CharField(label=_("Телефон родителя"), max_length=30, required=False,
                                   widget=forms.TextInput(attrs={"type": "tel"}))
    parent_email = forms.EmailField(
        label=_("E-mail родителя"),
        help_text=_("На него придут письма о заявке; войти в кабинет родитель сможет, задав "
                    "пароль через «Забыли пароль?»."))
    consent = forms.BooleanField(
        label=_("Родитель дал согласие на обработку персональных данных ребёнка"),
        required=False, widget=forms.CheckboxInput(attrs={"aria-describedby": "consent-text"}))

    field_order = ["group", *ChildForm.CHILD_FIELDS, "parent_last_name", "parent_first_name",
                   "parent_patronymic", "parent_phone", "parent_email", "consent"]

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["group"].label_from_instance = lambda g: (
            f"{g.module.program.title} — {g.name}")

    def parent_data(self) -> dict:
        data = self.cleaned_data
        return {"email": data["parent_email"], "last_name": data["parent_last_name"],
                "first_name": data["parent_first_name"],
                "patronymic": data["parent_patronymic"], "phone": data["parent_phone"]}

    def child_fields(self):
        return [self[name] for name in self.CHILD_FIELDS]

    def parent_fields(self):
        return [self[name] for name in ("parent_last_name", "parent_first_name",
                                        "parent_patronymic", "parent_phone", "parent_email")]


class ApplyForm(forms.Form):
    child = forms.ChoiceField(label=_("Кого записать"), widget=forms.RadioSelect)

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [(str(c.uuid), c.full_name) for c in children]
        if len(children) == 1:
            self.fields["child"].initial = str(children[0].uuid)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Причина (необязательно)"), max_length=2000, required=False)


# --- provider's back office ----------------------------------------------------------


class ApplicationFilterForm(forms.Form):
    q = forms.CharField(label=_("Ребёнок"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("Фамилия, имя")}))
    status = forms.ChoiceField(label=_("Статус"), required=False,
                               choices=[("", _("Все")), *ApplicationStatus.choices])
    program = forms.ModelChoiceField(label=_("Программа"), required=False,
                                     queryset=Program.objects.none(), empty_label=_("Все"))
    group = forms.ModelChoiceField(label=_("Группа"), required=False,
                                   queryset=Group.objects.none(), empty_label=_("Все"))
    created_from = forms.DateField(label=_("Подана с"), required=False, widget=DATE)
    created_to = forms.DateField(label=_("Подана по"), required=False, widget=DATE)

    def __init__(self, *args, programs, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["group"].queryset = groups
        self.fields["group"].label_from_instance = lambda g: (
            f"{g.name} ({g.module.program.title})")

    def clean(self):
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", _("Дата «по» не может быть раньше даты «с»."))
        return data


class ProcessForm(forms.Form):
    """One action for the chosen applications; reason and date where the action needs them
    (the service says which)."""

    ACTIONS = [("confirm", _("Подтвердить")), ("reject", _("Отклонить")),
               ("expel", _("Отчислить")), ("complete", _("Завершить обучение"))]

    action = forms.ChoiceField(label=_("Действие"), choices=ACTIONS)
    reason = forms.CharField(label=_("Причина (для отклонения и отчисления)"), max_length=2000,
                             required=False)
    on_date = forms.DateField(label=_("Дата (для отчисления и завершения; пусто — сегодня)"),
                              required=False, widget=DATE)
    by_parent = forms.BooleanField(label=_("Отчисление по заявлению родителя"), required=False)
    ids = forms.TypedMultipleChoiceField(coerce=int, required=False,
                                         widget=forms.MultipleHiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any number typed in: the service answers for ones that are not the user's.
        if self.is_bound:
            self.fields["ids"].choices = [(v, v) for v in self.data.getlist("ids")
                                          if str(v).isdigit()]


class MergeForm(forms.Form):
    first = forms.UUIDField(widget=forms.HiddenInput)
    second = forms.UUIDField(widget=forms.HiddenInput)
    keep = forms.ChoiceField(label=_("Какую запись оставить"), required=False,
                             choices=[("first", _("Первую")), ("second", _("Вторую"))])
    reason = forms.CharField(label=_("Почему это один ребёнок"), max_length=2000, required=False)
