"""Rich text that can hold no script: every body is cleaned with nh3 (the Ammonia
sanitiser) when it is saved and again when it is shown, keeping only headings, lists,
emphasis, links and Wagtail's image and document references."""

import nh3

# Wagtail's stored form: <a linktype="page" id="3">, <embed embedtype="image" id="5" format="left">.
STORED_TAGS = {"h2", "h3", "h4", "p", "br", "hr", "b", "strong", "i", "em", "ul", "ol", "li", "a", "embed"}
STORED_ATTRIBUTES = {
    "a": {"href", "linktype", "id"},
    "embed": {"embedtype", "id", "format", "alt"},
}
# What a page shows, Wagtail's references expanded into images and links.
SHOWN_TAGS = (STORED_TAGS - {"embed"}) | {"img"}
SHOWN_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "class"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def rich_text(html: str) -> str:
    """The stored body with everything not in the list removed (scripts with their text)."""
    if not html:
        return html or ""
    return nh3.clean(html, tags=STORED_TAGS, attributes=STORED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel=None, clean_content_tags={"script", "style"})


def shown(html: str) -> str:
    """The body as a page shows it, cleaned once more after expansion."""
    return nh3.clean(html or "", tags=SHOWN_TAGS, attributes=SHOWN_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener", clean_content_tags={"script", "style"})
