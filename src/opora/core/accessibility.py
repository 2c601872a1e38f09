"""The version for the visually impaired, as Russian public sites have it (ГОСТ Р 52872-2019):
three font sizes, three colour schemes, images on or off, normal or wide letter spacing.

The settings live in one cookie, so they are remembered across pages with no account and
no script: ``accessible=s2-bw-i1-l0`` (size, scheme, images, letter spacing). An absent or
empty cookie is the ordinary version; the value ``1`` of earlier releases means the defaults.
"""

from dataclasses import dataclass, replace

from django.utils.translation import gettext_lazy as _

COOKIE = "accessible"
COOKIE_AGE = 365 * 24 * 3600

SIZES = {1: _("Обычный"), 2: _("Крупный"), 3: _("Очень крупный")}
SCHEMES = {
    "bw": _("Чёрным по белому"),
    "wb": _("Белым по чёрному"),
    "blue": _("Тёмно-синим по голубому"),
}


@dataclass(frozen=True)
class Accessibility:
    size: int = 2
    scheme: str = "bw"
    images: bool = True
    wide_spacing: bool = False

    @classmethod
    def from_cookie(cls, value: str | None) -> "Accessibility | None":
        """The settings a cookie holds, or ``None`` for the ordinary version. A damaged
        cookie gives the defaults for its damaged parts, never an error."""
        if not value:
            return None
        settings = cls()
        for part in value.split("-"):
            key, raw = part[:1], part[1:]
            if key == "s" and raw.isdigit() and int(raw) in SIZES:
                settings = replace(settings, size=int(raw))
            elif key == "c" and raw in SCHEMES:
                settings = replace(settings, scheme=raw)
            elif key == "i" and raw in ("0", "1"):
                settings = replace(settings, images=raw == "1")
            elif key == "l" and raw in ("0", "1"):
                settings = replace(settings, wide_spacing=raw == "1")
        return settings

    def cookie(self) -> str:
        return f"s{self.size}-c{self.scheme}-i{int(self.images)}-l{int(self.wide_spacing)}"

    def changed(self, data) -> "Accessibility":
        """These settings with the choices a form sent (``size``, ``scheme``, ``images``,
        ``spacing``); a value outside the lists changes nothing."""
        settings = self
        size = data.get("size", "")
        if size.isdigit() and int(size) in SIZES:
            settings = replace(settings, size=int(size))
        if data.get("scheme") in SCHEMES:
            settings = replace(settings, scheme=data["scheme"])
        if data.get("images") in ("on", "off"):
            settings = replace(settings, images=data["images"] == "on")
        if data.get("spacing") in ("normal", "wide"):
            settings = replace(settings, wide_spacing=data["spacing"] == "wide")
        return settings

    @property
    def css_classes(self) -> str:
        classes = ["accessible", f"a11y-size-{self.size}", f"a11y-{self.scheme}"]
        if not self.images:
            classes.append("a11y-no-images")
        if self.wide_spacing:
            classes.append("a11y-wide")
        return " ".join(classes)

    def panel(self) -> dict:
        """What the settings panel shows: each choice with whether it is the current one."""
        return {
            "sizes": [(value, label, value == self.size) for value, label in SIZES.items()],
            "schemes": [(value, label, value == self.scheme) for value, label in SCHEMES.items()],
        }
