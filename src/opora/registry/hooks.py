"""Hooks the registry offers to the apps above it about a program's pages.

The registry and the navigator import no later app; an app that has something to show
on a program registers a function here in its ``AppConfig.ready`` (docs/decisions.md).

- ``program_badges``: called as ``hook(program)`` for the public program page; each
  returns a list of ``{"label", "kind", "url"}`` badges (``url`` may be empty).
- ``program_panels``: called as ``hook(user, program)`` for the program's card in the
  back office; each returns None or ``{"title", "lines", "url", "link_label"}``, where
  ``lines`` are plain sentences.
"""

program_badges: list = []
program_panels: list = []


def badges_of(program) -> list[dict]:
    return [badge for hook in program_badges for badge in hook(program)]


def panels_of(user, program) -> list[dict]:
    return [panel for hook in program_panels if (panel := hook(user, program))]
