"""Contracts of studies paid with a certificate (DOMAIN.md §4). See the module docstring
written with the implementation."""


def application_changed(actor, application, before):
    """``enrollment.services.after_status_change`` hook (implemented with the contracts)."""
