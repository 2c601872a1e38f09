"""Sets of fixed choices (levels, ОВЗ kinds, registers, weekdays) stored as one integer.

A program's levels or ОВЗ kinds are a handful of fixed codes, filtered and
counted on every catalog request. One integer column holds the set: a filter
is ``levels__hasflag=Level.BASE`` (``levels & 2 <> 0``), and facet counts for
every code come from one scan, on SQLite and PostgreSQL alike.
"""

import enum

from django import forms
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _


class Flags(enum.IntFlag):
    """An IntFlag whose members carry a Russian label: ``Member = bit, label``."""

    def __new__(cls, value, label=""):
        obj = int.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj

    @classmethod
    def choices(cls):
        return [(member.value, member.label) for member in cls]

    @classmethod
    def labels_of(cls, value: int) -> list:
        return [member.label for member in cls if value & member.value]

    @classmethod
    def members_of(cls, value: int) -> list:
        return [member for member in cls if value & member.value]

    @classmethod
    def combine(cls, values) -> int:
        result = 0
        for v in values:
            result |= int(v)
        return result


class FlagsFormField(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, flags, **kwargs):
        kwargs.setdefault("choices", flags.choices())
        kwargs["coerce"] = int
        kwargs.pop("max_value", None)
        kwargs.pop("min_value", None)
        kwargs.pop("step_size", None)
        super().__init__(**kwargs)
        self.flags = flags

    def prepare_value(self, value):
        if isinstance(value, int):
            return [m.value for m in self.flags.members_of(value)]
        return value

    def has_changed(self, initial, data):
        return self.clean_value(initial) != self.clean_value(data)

    def clean_value(self, value):
        if isinstance(value, int):
            return value
        return self.flags.combine(int(v) for v in (value or []))

    def clean(self, value):
        return self.flags.combine(super().clean(value))


class FlagsField(models.PositiveIntegerField):
    """A set of members of a ``Flags`` enum stored as their bitwise OR."""

    def __init__(self, *args, flags=None, **kwargs):
        self.flags = flags
        kwargs.setdefault("default", 0)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("flags", None)
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return FlagsFormField(
            flags=self.flags, required=not self.blank, label=capfirst(self.verbose_name),
            help_text=self.help_text,
        )

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if self.flags is not None:
            allowed = self.flags.combine(self.flags)
            if value & ~allowed:
                from django.core.exceptions import ValidationError

                raise ValidationError(_("Недопустимое значение."))


@FlagsField.register_lookup
class HasFlag(models.Lookup):
    """``field__hasflag=mask``: at least one of the bits of ``mask`` is set."""

    lookup_name = "hasflag"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"({lhs} & {rhs}) <> 0", [*lhs_params, *rhs_params]
