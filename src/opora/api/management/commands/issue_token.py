"""``opora issue_token <email> [--name …] [--days N]``: issue an API token for an account
from the server's console and print its secret, which is shown this once."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from opora.accounts.models import User
from opora.api import services
from opora.errors import DomainError


class Command(BaseCommand):
    help = "Issue an API token for the account with this e-mail and print its secret once."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="Ключ из консоли",
                            help="what the token is for, shown in the list of tokens")
        parser.add_argument("--days", type=int, default=None,
                            help="days the token stays valid (default: a year)")

    def handle(self, *args, email, name, days, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account with the e-mail {email!r}.")
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        expires_at = timezone.now() + dt.timedelta(days=days) if days else None
        try:
            token, secret = services.issue_token(None, user, name, expires_at=expires_at)
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stderr.write(f"Token «{token.name}» for {user.email}, valid until "
                          f"{timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}. "
                          "The secret is shown once:")
        self.stdout.write(secret)
