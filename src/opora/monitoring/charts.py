"""Charts drawn on the server as inline SVG (docs/decisions.md): no script, no build
step, the same picture on screen, in print and in the saved page. Every chart is a
``<svg role="img">`` labelled by its caption; the page puts the table with the same
numbers next to it for screen readers and the visually-impaired version.
"""

from django.utils.html import format_html
from django.utils.safestring import mark_safe

WIDTH = 640
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 220


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return f"{int(value):,}".replace(",", "\u00a0")


def bars(rows: list[tuple[str, float | None]], *, label: str, suffix: str = "",
         target: float | None = None) -> str:
    """Horizontal bars, one per (label, value); ``target`` draws a dashed line."""
    if not rows:
        return ""
    top = max([value or 0 for _label, value in rows] + [target or 0]) or 1
    plot = WIDTH - LABEL_WIDTH - 70
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    parts = [format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">',
        label, WIDTH, height + (16 if target is not None else 0))]
    for index, (title, value) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        length = round(plot * (value or 0) / top, 1)
        short = title if len(title) <= 32 else title[:31] + "…"
        parts.append(format_html(
            '<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="{}" class="chart-bar"><title>{}: {}{}</title></rect>'
            '<text x="{}" y="{}" class="chart-value">{}{}</text>',
            LABEL_WIDTH - 6, y + BAR_HEIGHT - 6, short,
            LABEL_WIDTH, y, length, BAR_HEIGHT, title, _number(value), suffix,
            LABEL_WIDTH + length + 4, y + BAR_HEIGHT - 6, _number(value), suffix))
    if target is not None:
        x = LABEL_WIDTH + round(plot * target / top, 1)
        parts.append(format_html(
            '<line x1="{}" y1="0" x2="{}" y2="{}" class="chart-target"/>'
            '<text x="{}" y="{}" class="chart-value">{}{}</text>',
            x, x, height, x + 3, height + 12, _number(target), suffix))
    parts.append(mark_safe("</svg>"))  # noqa: S308 (a constant)
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 (parts are escaped)


def line(points: list[tuple[str, float | None]], *, label: str, suffix: str = "",
         target: float | None = None) -> str:
    """A time series: (date label, value) in order; gaps where the value is unknown."""
    known = [(title, value) for title, value in points if value is not None]
    if not known:
        return ""
    height, left, bottom, right = 220, 48, 40, 16
    top = max([value for _t, value in known] + [target or 0]) * 1.1 or 1
    plot_w, plot_h = WIDTH - left - right, height - bottom - 12
    step = plot_w / max(len(points) - 1, 1)

    def y_of(value):
        return round(12 + plot_h * (1 - value / top), 1)

    parts = [format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">',
        label, WIDTH, height)]
    parts.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" class="chart-axis"/>',
                             left, height - bottom, WIDTH - right, height - bottom))
    for fraction in (0, 0.5, 1):
        value = top / 1.1 * fraction
        parts.append(format_html('<text x="{}" y="{}" text-anchor="end" class="chart-value">{}{}</text>',
                                 left - 4, y_of(value) + 4, _number(round(value, 1)), suffix))
    path = []
    for index, (title, value) in enumerate(points):
        if value is None:
            continue
        x = round(left + index * step, 1)
        path.append(f"{'M' if not path else 'L'}{x},{y_of(value)}")
        parts.append(format_html('<circle cx="{}" cy="{}" r="3" class="chart-point">'
                                 '<title>{}: {}{}</title></circle>', x, y_of(value), title,
                                 _number(value), suffix))
    every = max(1, len(points) // 6)
    for index, (title, _value) in enumerate(points):
        if index % every == 0 or index == len(points) - 1:
            parts.append(format_html('<text x="{}" y="{}" text-anchor="middle" class="chart-label">{}</text>',
                                     round(left + index * step, 1), height - bottom + 16, title))
    parts.append(format_html('<path d="{}" class="chart-line"/>', " ".join(path)))
    if target is not None:
        parts.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" class="chart-target"/>',
                                 left, y_of(target), WIDTH - right, y_of(target)))
    parts.append(mark_safe("</svg>"))  # noqa: S308 (a constant)
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 (parts are escaped)

