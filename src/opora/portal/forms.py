"""The CMS's upload forms with Opora's rules: documents are PDF, DOCX or XLSX whose content
is what the name says and no larger than ``OPORA_PORTAL_DOCUMENT_MAX_MB``; images are
resized on upload (``images.fitted``)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

from opora.portal import images

# the first bytes of each kind: PDF, and DOCX/XLSX (zip archives)
SIGNATURES = {"pdf": (b"%PDF",), "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",)}


def check_document(uploaded) -> None:
    """Refuse a file that is too large, of another kind or not what its name says."""
    limit = settings.OPORA_PORTAL_DOCUMENT_MAX_MB
    if uploaded.size > limit * 1024 * 1024:
        raise forms.ValidationError(_("Файл больше %(limit)s МБ: уменьшите его или разделите на части.")
                                    % {"limit": limit})
    extension = uploaded.name.rsplit(".", 1)[-1].lower() if "." in uploaded.name else ""
    if extension not in SIGNATURES:
        raise forms.ValidationError(_("Можно загрузить только PDF, DOCX или XLSX."))
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    if not head.startswith(SIGNATURES[extension]):
        raise forms.ValidationError(_("Файл повреждён или не является %(kind)s.") % {"kind": extension.upper()})


class DocumentForm(BaseDocumentForm):
    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded and hasattr(uploaded, "size") and getattr(uploaded, "_committed", False) is False:
            check_document(uploaded)
        return uploaded


class ImageForm(BaseImageForm):
    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded and getattr(uploaded, "_committed", False) is False:
            return images.fitted(uploaded)
        return uploaded
