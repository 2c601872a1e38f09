"""A worker's start does what its first request would: views, catalogs, templates."""

import sys

import pytest
from django.template import TemplateSyntaxError
from django.test import override_settings

from opora.core.warmup import template_names, warm_up
from tests.core.processes import KEY, run

# What gunicorn does: import opora.wsgi (the warm-up runs then), in a process of its own, as
# the warm-up closes the database connections it finds.
LOADED = """
import opora.wsgi
from django.db import connections
from django.template import engines
from opora.core.warmup import template_names
loader = engines["django"].engine.template_loaders[0]
cached = {t.origin.template_name for t in loader.get_template_cache.values() if hasattr(t, "origin")}
names = template_names()
print(len(names), len(names - cached), sum(c.connection is not None for c in connections.all()))
"""


def test_loading_the_application_compiles_every_template_and_leaves_no_connection_open(tmp_path):
    names = template_names()
    assert "base.html" in names and len(names) > 100
    assert not any(name.startswith("django_filters/") for name in names)  # not third-party ones

    result = run([sys.executable, "-c", LOADED], tmp_path, OPORA_SECRET_KEY=KEY, OPORA_ALLOWED_HOSTS="x")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(len(names)), "0", "0"]  # all compiled, no connection left


def test_a_template_that_does_not_compile_stops_the_start(tmp_path):
    (tmp_path / "broken.html").write_text("{% if %}сломано{% endif %}")
    templates = [{"BACKEND": "django.template.backends.django.DjangoTemplates",
                  "DIRS": [tmp_path], "APP_DIRS": True}]
    with override_settings(TEMPLATES=templates):
        assert "broken.html" in template_names()
        with pytest.raises(TemplateSyntaxError):
            warm_up()


def test_no_template_comment_spans_lines():
    # Django's {# … #} ends on its line: one spread over two lines is printed on the page as
    # it is written (the catalog showed a developer's note once). Longer notes use
    # {% comment %}.
    from pathlib import Path

    import opora

    root = Path(opora.__file__).parent
    unclosed = [f"{path.relative_to(root)}:{number}"
                for path in sorted(root.rglob("templates/**/*.html"))
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if line.count("{#") > line.count("#}")]
    assert unclosed == []
