"""The ``opora`` console command: Django's management commands with Opora's settings.

``opora demo`` loads the demo region, ``opora migrate``, ``opora runserver``,
``opora createsuperuser`` and every other management command work as usual.
"""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opora.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018  (loads the settings)
    except ImproperlyConfigured as error:
        # A missing secret key or a malformed variable: the message, not a traceback.
        sys.exit(f"opora: {error}")

    execute_from_command_line(["opora", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    main()
