"""Before the CMS answers: the portal's tree exists and the user's rights in it follow
their Opora role (``access.sync_editor``). The CMS's own pages keep a few inline scripts
(Wagtail's date pickers and inline panels), so its pages alone may run them; the public
site keeps the strict policy of ``settings.CONTENT_SECURITY_POLICY``."""

from csp.constants import UNSAFE_INLINE

from opora.portal import access, tree

CMS_PREFIX = "/cms/"
PORTAL_PREFIX = "/portal/"


class CmsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        in_cms = request.path.startswith(CMS_PREFIX)
        if in_cms or request.path.startswith(PORTAL_PREFIX):
            if not tree.is_complete():
                tree.ensure_portal()
            if in_cms and request.user.is_authenticated:
                access.sync_editor(request.user)
        response = self.get_response(request)
        if in_cms:
            response._csp_update = {"script-src": [UNSAFE_INLINE], "img-src": ["blob:"]}
        return response
