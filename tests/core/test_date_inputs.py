"""A date field shown as ``<input type="date">`` (or ``"month"``) writes its value as
ГГГГ-ММ-ДД (ГГГГ-ММ): the browser takes no other form and shows a field holding the
Russian locale's ДД.ММ.ГГГГ as empty, losing the date the form suggested."""

import datetime as dt
import re

from django import forms
from django.utils import translation

from opora.plans.forms import SignForm

WIRE = {"date": "%Y-%m-%d", "month": "%Y-%m"}


def form_classes(base=forms.BaseForm):
    """Every form class defined in the project, once the URLs (and so every view and
    form module) are imported."""
    import opora.urls  # noqa: F401

    found, stack = [], [base]
    while stack:
        for subclass in stack.pop().__subclasses__():
            stack.append(subclass)
            if subclass.__module__.startswith("opora."):
                found.append(subclass)
    return found


def misformatted(classes) -> list[str]:
    wrong = []
    for cls in classes:
        for name, field in getattr(cls, "base_fields", {}).items():
            widget = field.widget  # Django keeps ``attrs["type"]`` as ``input_type``
            if isinstance(widget, forms.DateInput) and WIRE.get(widget.input_type, widget.format) != widget.format:
                wrong.append(f"{cls.__module__}.{cls.__name__}.{name}")
    return wrong


def test_every_browser_date_field_writes_the_browsers_format():
    assert misformatted(form_classes()) == []


def test_a_field_left_to_the_locale_format_is_reported():
    # given a form whose date input has no format, as the plan's signature once had
    loose = type("Loose", (forms.Form,), {
        "__module__": "opora.plans.forms",
        "on": forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))})

    # then the check names it
    assert misformatted([loose]) == ["opora.plans.forms.Loose.on"]


def test_the_suggested_signing_date_reaches_the_browser_in_russian():
    # given the signature form suggesting a day, rendered in Russian
    with translation.override("ru"):
        html = str(SignForm(initial={"signed_on": dt.date(2026, 12, 6)})["signed_on"])

    # then the input holds the day in the only form the browser accepts
    assert re.search(r'value="2026-12-06"', html)
