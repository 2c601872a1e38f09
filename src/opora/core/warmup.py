"""What a worker process's first request would otherwise do, done when the process
starts: import every view through the URLconf, load the translation catalogs and
compile the project's templates. On a loaded two-core machine that first request took
10 s of wall time (3.3 s of CPU) and held a visitor and a worker for it; under
``gunicorn --preload`` the work is done once, before the workers fork, and they share it."""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.template import engines
from django.urls import get_resolver
from django.utils import translation


def template_names() -> set[str]:
    """The names of the project's templates: those of ``TEMPLATES["DIRS"]`` and of
    Opora's own apps, not the templates third-party apps ship (some need libraries that
    are not installed; the pages that use them load them when asked)."""
    directories = [Path(d) for d in engines["django"].engine.dirs]
    directories += [Path(config.path) / "templates" for config in apps.get_app_configs()
                    if config.name.startswith("opora.")]
    return {str(path.relative_to(directory)) for directory in directories
            for path in directory.rglob("*.html")}


def warm_up() -> int:
    """Import the views, load the catalogs of every language and compile the
    templates (kept by the cached template loader). A template that does not compile
    raises here, at start, rather than on the page that needs it. No database
    connection is left open: a process that forks after this shares none. Returns the
    number of templates compiled."""
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 — imports the URLconf and every view it names
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018 — the reverse table of each language
    engine = engines["django"]
    names = template_names()
    for name in sorted(names):
        engine.get_template(name)
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:  # never a caller's transaction (a test's)
            connection.close()
    return len(names)
