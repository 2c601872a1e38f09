"""Helpers shared by the forms of every app."""

import re

from opora.errors import DomainError

_ROW_KEY = re.compile(r"^(?P<prefix>[a-z_]+)-(?P<number>\d+)-(?P<field>\w+)$")


def attach_errors(form, error: DomainError, formsets=None) -> None:
    """Put a service's refusal next to the inputs it names.

    ``formsets`` maps a formset prefix to ``(formset, rows)``, where ``rows`` are the
    forms whose data went to the service, in order: the service numbers lines from
    one (``schedule-2-time_to``), and blank rows the user left out are not counted.
    A bare prefix (``funding``) is an error of the whole formset."""
    formsets = formsets or {}
    errors = getattr(error, "errors", None) or {error.field or "__all__": [error.message]}
    for key, messages in errors.items():
        target, field = form, key
        match = _ROW_KEY.match(key)
        if match and match["prefix"] in formsets:
            rows = formsets[match["prefix"]][1]
            number = int(match["number"])
            if 1 <= number <= len(rows):
                target, field = rows[number - 1], match["field"]
        elif key in formsets:
            formsets[key][0].non_form_errors().extend(messages)
            continue
        for message in messages:
            target.add_error(field if field in target.fields else None, message)
