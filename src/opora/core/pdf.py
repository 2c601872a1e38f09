"""Award sheets as PDF files (a diploma, a certificate of attendance), drawn with fpdf2.

PDF's standard fonts have no Cyrillic, so a TrueType font is embedded: DejaVu Serif from
the system's fonts (Debian's ``fonts-dejavu-core``, which the browser tests install
too). Where the font is absent ``available()`` is false and the pages offer only their
printable version (docs/operations.md)."""

from dataclasses import dataclass
from pathlib import Path

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/TTF"),
             Path("/usr/local/share/fonts"))
REGULAR, BOLD = "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"
GOLD, GREY, INK = (138, 109, 59), (102, 102, 102), (34, 34, 34)


def _font_dir() -> Path | None:
    return next((d for d in FONT_DIRS if (d / REGULAR).is_file() and (d / BOLD).is_file()), None)


def available() -> bool:
    return _font_dir() is not None


@dataclass(frozen=True)
class Line:
    """A centred line of the sheet: its text, size in points, bold, grey or gold."""

    text: str
    size: float = 14
    bold: bool = False
    colour: tuple[int, int, int] = INK
    space: float = 4  # millimetres after it


def award_sheet(title: str, lines: list[Line], footer: list[str]) -> bytes:
    """An A4 landscape sheet in a double gold frame: the lines centred from the top, the
    footer (the verification code and where to check it) at the bottom."""
    from fpdf import FPDF  # imported here: only these downloads need it

    folder = _font_dir()
    if folder is None:
        raise RuntimeError("DejaVu Serif is not installed (fonts-dejavu-core)")
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title(title)
    pdf.set_creator("Опора")
    pdf.add_font("serif", "", str(folder / REGULAR))
    pdf.add_font("serif", "B", str(folder / BOLD))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    pdf.set_line_width(0.4)
    pdf.rect(11, 11, pdf.w - 22, pdf.h - 22)
    pdf.set_y(28)
    width = pdf.w - 50
    for line in lines:
        pdf.set_x(25)
        pdf.set_font("serif", "B" if line.bold else "", line.size)
        pdf.set_text_color(*line.colour)
        pdf.multi_cell(width, line.size * 0.5, line.text, align="C")
        pdf.ln(line.space)
    pdf.set_font("serif", "", 9)
    pdf.set_text_color(*GREY)
    pdf.set_y(pdf.h - 16 - 5 * len(footer))
    for text in footer:
        pdf.set_x(25)
        pdf.cell(width, 5, text, align="C")
        pdf.ln(5)
    return bytes(pdf.output())
