"""Saving a group's prices the way its edit page does, for the tests of prices in the
registry, the API and financing."""

from decimal import Decimal

from opora.registry import forms as registry_forms
from opora.registry import services

GROUP_FIELDS = ("name", "start_date", "end_date", "hours_per_year", "capacity_min",
                "capacity_max", "age_min", "age_max", "address", "is_active", "enrolment_open",
                "enrolment_from", "enrolment_to")

def line(source, monthly, total=None):
    monthly = Decimal(monthly)
    return {"source": source, "monthly_price": monthly,
            "total_price": Decimal(total) if total is not None else monthly * 9}


def save_prices(actor, group, funding, **changes):
    """Save the group as its edit page does, with ``funding`` and ``changes``."""
    group.refresh_from_db()
    data = {name: getattr(group, name) for name in GROUP_FIELDS} | changes
    return services.save_group(actor, group.module, data,
                               schedule=registry_forms.schedule_initial(group),
                               funding=funding, teachers=list(group.teachers.all()),
                               group=group)
