"""Forms of the МОЦ's back office: an organization card, a program's return to its
provider with remarks, switching an organization off or on. They validate input;
the services in ``registry.services`` do the change."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opora.errors import DomainError, ValidationFailed
from opora.registry.models import Organization


class OrganizationForm(forms.ModelForm):
    website = forms.URLField(label=_("Сайт"), required=False, max_length=200,
                             assume_scheme="https")

    class Meta:
        model = Organization
        fields = [
            "full_name", "short_name", "inn", "ogrn", "kind", "sector", "ownership",
            "address", "is_rural", "latitude", "longitude", "phone", "email", "website", "head_name",
            "licence_number", "licence_date", "is_support_centre", "issues_certificates",
        ]
        widgets = {"licence_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        # Coordinates are read and shown the Russian way («56,6014») and taken with a dot
        # too, as online maps give them: a text field, since a number field refuses the comma.
        localized_fields = ("latitude", "longitude")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Identifiers are typed, not counted: a numeric keyboard on phones, no spinner.
        for name in ("inn", "ogrn"):
            self.fields[name].widget.attrs.update(inputmode="numeric", autocomplete="off")
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update(inputmode="decimal", autocomplete="off")

    def clean_inn(self):
        return (self.cleaned_data.get("inn") or "").strip()

    def clean_ogrn(self):
        return (self.cleaned_data.get("ogrn") or "").strip()

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Put a service's refusal next to the field it names, or above the form."""
    if isinstance(error, ValidationFailed):
        for field, messages in error.errors.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(error.field if error.field in form.fields else None, error.message)


class ReturnForm(forms.Form):
    remark = forms.CharField(
        label=_("Что нужно исправить"), widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000, error_messages={"required": _("Напишите, что нужно исправить.")})

    def clean_remark(self):
        remark = self.cleaned_data["remark"].strip()
        if not remark:
            raise forms.ValidationError(_("Напишите, что нужно исправить."))
        return remark


class ArchiveForm(forms.Form):
    reason = forms.CharField(label=_("Причина"), required=False, max_length=2000)


class OrganizationActivityForm(forms.Form):
    """Switching a provider off needs a reason (it leaves the navigator); on, not."""

    active = forms.TypedChoiceField(coerce=lambda v: v == "1",
                                    choices=[("1", _("Включить")), ("0", _("Отключить"))],
                                    widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Причина"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("active") is False and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Укажите причину отключения организации."))
        return data
