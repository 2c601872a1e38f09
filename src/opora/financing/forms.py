"""Forms of the financing pages. They check the shape of the input; the rules live in
the services, whose refusals come back onto the fields through
``core.forms.attach_errors``."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from opora.financing.models import (
    CertificateKind,
    CertificateStatus,
    CertificationStatus,
    CostParameters,
    FinancingPeriod,
    NominalUnit,
)
from opora.registry.forms import DATE

HUNDRED = Decimal(100)


def percent(share) -> Decimal:
    """A share (0.8) as the percent a person types (80), without trailing zeros."""
    return Decimal(format((Decimal(share) * HUNDRED).normalize(), "f"))
MONEY_INPUT = forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


def _money(label, required=True, help_text=""):
    return forms.DecimalField(label=label, required=required, min_value=0, max_digits=14,
                              decimal_places=2, widget=MONEY_INPUT, help_text=help_text)


def _reason(label, required=True):
    return forms.CharField(label=label, required=required, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


# --- certificates --------------------------------------------------------------------


class CertificateRequestForm(forms.Form):
    wants_financing = forms.BooleanField(
        label=_("Прошу сертификат финансирования (с номиналом на оплату обучения)"),
        required=False, initial=True,
        help_text=_("Если места финансирования закончились, ребёнок получит сертификат учёта и "
                    "встанет в очередь на финансирование."))


class CertificateDecisionForm(forms.Form):
    ACTIONS = ("issue", "refuse", "freeze", "unfreeze")
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    reason = _reason(_("Причина"), required=False)


class CertificateFilterForm(forms.Form):
    q = forms.CharField(label=_("Номер или ФИО ребёнка"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Статус"), required=False,
                               choices=[("", _("Все"))] + list(CertificateStatus.choices))
    kind = forms.ChoiceField(label=_("Вид"), required=False,
                             choices=[("", _("Все"))] + list(CertificateKind.choices))
    queue = forms.BooleanField(label=_("В очереди на финансирование"), required=False)


# --- periods -------------------------------------------------------------------------



class PeriodForm(forms.Form):
    """A financing period; shares are typed in percent and given to the service as
    fractions."""

    title = forms.CharField(label=_("Название"), max_length=200)
    starts_on = forms.DateField(label=_("Начало периода"), widget=DATE)
    ends_on = forms.DateField(label=_("Окончание периода"), widget=DATE)
    budget = _money(_("Объём финансирования, ₽"))
    certificates_cap = forms.IntegerField(label=_("Число сертификатов финансирования"), min_value=0,
                                          max_value=10_000_000)
    nominal_unit = forms.ChoiceField(label=_("Единица номинала"), choices=NominalUnit.choices)
    nominal = forms.DecimalField(label=_("Номинал сертификата (рубли или часы в неделю)"),
                                 min_value=0, max_digits=14, decimal_places=2, widget=MONEY_INPUT)
    hour_cost = _money(_("Нормативная стоимость академического часа, ₽"), required=False,
                       help_text=_("Нужна, если номинал задан в часах."))
    fallback_on = forms.DateField(
        label=_("Срок использования сертификата финансирования"), required=False, widget=DATE,
        help_text=_("Сертификат финансирования без договора в этом периоде после этой даты "
                    "становится сертификатом учёта."))
    advance_percent = forms.DecimalField(label=_("Аванс, % от суммы месяца"), min_value=0,
                                         max_value=100, decimal_places=2, initial=Decimal(80))
    price_cap_percent = forms.DecimalField(
        label=_("Предельная цена, % нормативной стоимости"), min_value=100, max_value=1000,
        decimal_places=2, initial=Decimal(150))

    @classmethod
    def initial_of(cls, period: FinancingPeriod) -> dict:
        initial = {name: getattr(period, name) for name in (
            "title", "starts_on", "ends_on", "budget", "certificates_cap", "nominal_unit",
            "nominal", "hour_cost", "fallback_on")}
        initial["advance_percent"] = percent(period.advance_share)
        initial["price_cap_percent"] = percent(period.price_cap_share)
        return initial

    def period_data(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items()
                if name not in ("advance_percent", "price_cap_percent")}
        data["advance_share"] = self.cleaned_data["advance_percent"] / HUNDRED
        data["price_cap_share"] = self.cleaned_data["price_cap_percent"] / HUNDRED
        return data


class CostParametersForm(forms.Form):
    teacher_pay_per_hour = _money(_("Оплата педагога за академический час, ₽"))
    qualification_coefficient = forms.DecimalField(
        label=_("Коэффициент квалификации"), min_value=0, max_digits=6, decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.001", "inputmode": "decimal"}))
    staff_development_percent = forms.DecimalField(
        label=_("Повышение квалификации, % от оплаты педагога"), min_value=0, max_value=100,
        decimal_places=2)
    premises_per_hour = _money(_("Помещения за академический час, ₽"))
    equipment_per_hour = _money(_("Оборудование за академический час, ₽"))
    average_group_size = forms.DecimalField(
        label=_("Средняя наполняемость группы, детей"), min_value=0, max_digits=6,
        decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))

    @classmethod
    def initial_of(cls, parameters: CostParameters | None) -> dict:
        if parameters is None:
            return {}
        initial = {name: getattr(parameters, name) for name in (
            "teacher_pay_per_hour", "qualification_coefficient", "premises_per_hour",
            "equipment_per_hour", "average_group_size")}
        initial["staff_development_percent"] = percent(parameters.staff_development_share)
        return initial

    def parameters_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["staff_development_share"] = data.pop("staff_development_percent") / HUNDRED
        return data


# --- certification -------------------------------------------------------------------


class CertificationRequestForm(forms.Form):
    price = _money(_("Цена модуля за весь период обучения группы, ₽"))


class CertificationDecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[("certify", "certify"), ("refuse", "refuse")])
    remark = _reason(_("Причина отказа"), required=False)


class CertificationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Статус"), required=False,
                               choices=[("", _("Все"))] + list(CertificationStatus.choices))
