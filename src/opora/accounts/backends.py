"""Django's model backend, loading the user's organization with the user: back-office
pages and the menu read it on every request."""

from django.contrib.auth.backends import ModelBackend

from opora.accounts.models import User


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        user = User._default_manager.select_related("organization").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
