"""Settings of the test suite: the development settings (``OPORA_DEBUG=true``: the demo
key, plain HTTP), whatever the shell has set. pytest-django still runs each test with
``DEBUG = False``; the production settings are tested in a child process
(tests/core/test_production_settings.py)."""

import os

os.environ["OPORA_DEBUG"] = "true"

from opora.settings import *  # noqa: E402,F403

# Fixtures register many children (and links to them) for one parent within a test; the tests of the day's
# limits set their own (tests/enrollment/test_child_privacy.py).
OPORA_CHILDREN_PER_DAY = 1000
OPORA_CHILD_CLAIMS_PER_DAY = 1000

# Wagtail's ~200 migrations would add ~18 s to every SQLite test database; there its tables
# are made straight from the models instead (the portal's own migrations still run), and
# ``portal.tree.ensure_portal`` creates what Wagtail's data migrations would have. PostgreSQL
# checks foreign keys at once, and tables made so come before ``accounts_user``: there
# Wagtail's migrations run as in production, before ours (tests/conftest.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    MIGRATION_MODULES = {app: None for app in (
        "wagtailcore", "wagtailadmin", "wagtaildocs", "wagtailimages", "wagtailsearch", "wagtailusers",
        "taggit",
    )}

# Token uses are written after every response, so a test sees them at once
# (tests/api/test_tokens.py checks the production interval).
OPORA_TOKEN_USE_FLUSH_SECONDS = 0

# The suite's commits need not wait for the disk (a crash of the test cluster loses only
# test databases): the migrations that build each worker's database, the race tests'
# transactions and the flushes of transactional tests commit hundreds of times.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
