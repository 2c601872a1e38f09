"""Blocks other capabilities add to a centre's page: the results of the independent quality
assessment and the events and contests, once those apps exist. An app registers a function
``(territory_page, request) -> str`` returning the block's HTML, or "" when it has nothing
to show for that territory; a block with nothing is not shown at all (no placeholder).
None is registered today."""

from django.utils.safestring import mark_safe

PROVIDERS = []


def register(provider):
    """Add a block provider (usable as a decorator); called from the providing app's ready()."""
    PROVIDERS.append(provider)
    return provider


def render(territory, request) -> list[str]:
    shown = []
    for provider in PROVIDERS:
        html = provider(territory, request)
        if html:
            shown.append(mark_safe(html))  # noqa: S308 — the provider renders its own template
    return shown
