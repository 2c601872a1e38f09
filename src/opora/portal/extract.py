"""The searchable text of a portal page: its own words and those of its attached PDF and
DOCX files, read with pypdf and python-docx (XLSX tables and scanned PDFs are not read),
stored as stems the way the navigator's search cuts them (``opora.navigator.search``)."""

import logging
import zipfile

from django.utils.html import strip_tags

from opora.navigator.search import stems

logger = logging.getLogger(__name__)

MAX_PAGES = 60
MAX_CHARS = 200_000


def text_of_file(document) -> str:
    """The text of a Wagtail document, or "" when its kind is not read or it is damaged."""
    extension = document.file_extension.lower()
    try:
        with document.open_file() as handle:
            if extension == "pdf":
                from pypdf import PdfReader

                reader = PdfReader(handle)
                return "\n".join((page.extract_text() or "") for page in reader.pages[:MAX_PAGES])[:MAX_CHARS]
            if extension == "docx":
                import docx

                paragraphs = docx.Document(handle).paragraphs
                return "\n".join(p.text for p in paragraphs)[:MAX_CHARS]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, Exception) as error:  # noqa: BLE001
        # a damaged upload is kept and shown; only its words are not searchable
        logger.info("portal.extract.failed document=%s error=%s", document.pk, type(error).__name__)
    return ""


def stems_of(page) -> str:
    """The stems of a content page's title, lead, body, tags and attached files."""
    parts = [page.title, page.lead, strip_tags(page.body or "")]
    parts += [tag.name for tag in page.tags.all()] if page.pk else []
    for attachment in page.attachments.all():
        if attachment.document_id:
            parts.append(attachment.document.title)
            parts.append(text_of_file(attachment.document))
    text = stems(" ".join(p for p in parts if p))
    return f" {text} " if text else ""
