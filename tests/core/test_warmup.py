"""A worker's start does what its first request would: views, catalogs, templates."""

import pytest
from django.db import connections
from django.template import TemplateSyntaxError, engines
from django.test import override_settings

from opora.core.warmup import template_names, warm_up


def _cached_names():
    loader = engines["django"].engine.template_loaders[0]
    return {template.origin.template_name for template in loader.get_template_cache.values()
            if hasattr(template, "origin")}


def test_every_template_of_the_project_is_compiled_and_no_connection_is_left_open():
    names = template_names()
    assert "base.html" in names and len(names) > 100
    assert not any(name.startswith("django_filters/") for name in names)  # not third-party ones

    assert warm_up() == len(names)

    assert names <= _cached_names()
    assert all(connection.connection is None for connection in connections.all())


def test_a_template_that_does_not_compile_stops_the_start(tmp_path):
    (tmp_path / "broken.html").write_text("{% if %}сломано{% endif %}")
    templates = [{"BACKEND": "django.template.backends.django.DjangoTemplates",
                  "DIRS": [tmp_path], "APP_DIRS": True}]
    with override_settings(TEMPLATES=templates):
        assert "broken.html" in template_names()
        with pytest.raises(TemplateSyntaxError):
            warm_up()
