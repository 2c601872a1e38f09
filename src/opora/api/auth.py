"""How API callers prove who they are.

Back-office endpoints accept the Django session of a signed-in user; unsafe
methods must then carry the CSRF token, as a form of the site would. A
personal API token for scripts is planned as a second entry of ``BACK_OFFICE``;
endpoints never look at the mechanism, only at ``request.auth``, the acting user.
"""

from ninja.security import SessionAuth

# Django's session middleware already refuses inactive accounts (ModelBackend.get_user),
# so a signed-in session always belongs to an active user.
session_auth = SessionAuth(csrf=True)

# The authentication of every endpoint unless it opts out with ``auth=None`` (public data).
BACK_OFFICE = [session_auth]
