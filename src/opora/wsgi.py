import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opora.settings")
application = get_wsgi_application()

# The views, catalogs and templates are loaded now, not by a worker's first request
# (under ``gunicorn --preload``: once, before the workers fork).
from opora.core.warmup import warm_up  # noqa: E402 — needs the settings configured above

warm_up()
