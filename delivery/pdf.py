"""The letters' PDF: A4, one page a letter, address in the window of a DL envelope
(docs/product.md §7).

Envelope: the French standard DL (110 × 220 mm) with its window on the right, 100 × 45 mm,
20 mm from the right edge and 15 mm from the bottom, i.e. 100 to 200 mm from the envelope's
left edge and 50 to 95 mm from its top. The A4 sheet, folded in three (99 mm panels), can move
by up to 10 mm sideways and 11 mm up and down in the envelope, so the block is placed where
the window shows it in every position: from 105 mm from the sheet's left edge, no wider than
82 mm, and between 52 and 82 mm from its top.

Drawn with reportlab's canvas, the library Django's documentation shows for PDFs, through its
public API only (docs/decisions/letters-pdf.md). Fonts: DejaVu Sans, its bold, and DejaVu Sans
Mono Bold for the password, shipped under delivery/fonts with their licence: Bitstream Vera's
successor, with every Latin letter, so that « Łukasz Dvořák » is printed as written. All are
embedded in the PDF (as subsets of the characters used) so the printer adds nothing.

What letters share (letterhead, texts, frame) is drawn once per language as a PDF form placed
on each page. Pages are drawn as they come, one letter at a time; reportlab's canvas keeps
them (compressed) until `close()` writes the file: memory grows by a few kilobytes a letter
(figures in the decision record).
"""

import os
from dataclasses import dataclass, field

from reportlab import rl_config
from reportlab.lib.colors import HexColor, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

SANS, SANS_BOLD, MONO = "LetterSans", "LetterSans-Bold", "LetterMono-Bold"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
# The window (see the module's docstring), in the sheet's coordinates.
ADDRESS_LEFT = 105 * mm
ADDRESS_TOP = 52 * mm
ADDRESS_MAX_WIDTH = 82 * mm
ADDRESS_MAX_HEIGHT = 30 * mm
FOLD_MARKS = (99 * mm, 198 * mm)
PASSWORD_SIZE, PASSWORD_SPACING = 22, 8.0
PASSWORD_BOX_HEIGHT = 27 * mm
FONTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fonts")

_fonts_ready = False


def register_fonts() -> None:
    """Register the embedded fonts once per process."""
    global _fonts_ready
    if _fonts_ready:
        return
    pdfmetrics.registerFont(TTFont(SANS, os.path.join(FONTS, "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(SANS_BOLD, os.path.join(FONTS, "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFont(TTFont(MONO, os.path.join(FONTS, "DejaVuSansMono-Bold.ttf")))
    # Compressed streams stored as binary, not ASCII85: a third smaller, and faster to write.
    rl_config.useA85 = 0
    _fonts_ready = True


@dataclass
class LetterPage:
    """Everything printed on one letter, already in the recipient's language."""

    sender_lines: list[str]
    address_lines: list[str]
    date_line: str
    subject: str
    reference_template: str
    reference: str
    salutation: str
    intro: str
    password_label: str
    password: str
    password_hint: str
    character_names: dict[str, str]
    expiry: str
    how_title: str
    how_steps: list[str]
    warning: str
    contact_title: str
    contact_lines: list[str]
    closing: str
    signature: list[str]
    footer: str
    colour: str = "#0b5e5a"
    metadata: dict = field(default_factory=dict)


class LetterPrinter:
    """Draw letters one page at a time; `close()` writes the PDF into `out`.

    What every letter of a language and identifier type shares (letterhead, texts, frame) is
    drawn once as a PDF form and placed on each page: only the address, the identifier and
    the password are drawn per page, which keeps 10,000 pages fast and small.
    """

    def __init__(self, out, *, title: str, author: str):
        register_fonts()
        # Every page opens in one of the embedded fonts, not reportlab's default Helvetica,
        # which the printer would have to supply.
        self.canvas = canvas.Canvas(
            out, pagesize=A4, pageCompression=1, invariant=0, initialFontName=SANS
        )
        self.canvas.setTitle(title)
        self.canvas.setAuthor(author)
        self.canvas.setSubject(title)
        self.pages = 0
        self._templates: dict[tuple, tuple[str, dict]] = {}

    def add(self, page: LetterPage) -> None:
        c = self.canvas
        form, spots = self._template(page)
        c.doForm(form)
        self._address(page.address_lines)
        c.setFont(SANS, 9.5)
        c.drawString(MARGIN, spots["reference"], page.reference)
        if page.password:  # a notice letter has none
            self._password(page, spots["password"])
        c.showPage()
        self.pages += 1

    def close(self) -> None:
        self.canvas.save()

    def _template(self, page: LetterPage) -> tuple[str, dict]:
        key = tuple(
            tuple(v) if isinstance(v, list) else v
            for name, v in vars(page).items()
            if name not in ("address_lines", "reference", "password", "character_names", "metadata")
        )
        if key not in self._templates:
            name = f"letter{len(self._templates)}"
            self.canvas.beginForm(name)
            spots = self._draw_static(page)
            self.canvas.endForm()
            self._templates[key] = (name, spots)
        return self._templates[key]

    def _draw_static(self, page: LetterPage) -> dict:
        """Draw what does not change from one letter to the next; return where the rest goes."""
        c = self.canvas
        colour = HexColor(page.colour)
        spots = {}
        self._fold_marks()
        # Sender, top left.
        y = PAGE_HEIGHT - 18 * mm
        c.setFillColor(colour)
        c.setFont(SANS_BOLD, 12)
        c.drawString(MARGIN, y, page.sender_lines[0])
        c.setFillColor(black)
        c.setFont(SANS, 8.5)
        for line in page.sender_lines[1:]:
            y -= 4.2 * mm
            c.drawString(MARGIN, y, line)
        # Below the first fold: the letter itself.
        y = PAGE_HEIGHT - 106 * mm
        c.setFont(SANS, 9.5)
        c.drawRightString(PAGE_WIDTH - MARGIN, y, page.date_line)
        y -= 8 * mm
        c.setFont(SANS_BOLD, 10.5)
        c.drawString(MARGIN, y, page.subject)
        y -= 5 * mm
        spots["reference"] = y
        y -= 9 * mm
        c.setFont(SANS, 9.5)
        c.drawString(MARGIN, y, page.salutation)
        y = self._paragraph(page.intro, y - 6 * mm, size=9.5)
        spots["password"] = y - 6 * mm
        if page.password_label:
            y = self._password_frame(page, spots["password"], colour)
            c.setFont(SANS_BOLD, 10)
            c.drawString(MARGIN, y, page.expiry)
            y -= 9 * mm
        else:
            y -= 3 * mm
        c.setFillColor(colour)
        c.setFont(SANS_BOLD, 10.5)
        c.drawString(MARGIN, y, page.how_title)
        c.setFillColor(black)
        for number, step in enumerate(page.how_steps, start=1):
            y = self._paragraph(f"{number}. {step}", y - 5.5 * mm, size=9.5, indent=4 * mm)
        y = self._paragraph(page.warning, y - 7 * mm, size=9, bold=True)
        y -= 7 * mm
        c.setFillColor(colour)
        c.setFont(SANS_BOLD, 10.5)
        c.drawString(MARGIN, y, page.contact_title)
        c.setFillColor(black)
        for line in page.contact_lines:
            y = self._paragraph(line, y - 5 * mm, size=9)
        y = self._paragraph(page.closing, y - 7 * mm, size=9.5)
        c.setFont(SANS_BOLD, 9.5)
        for line in page.signature:
            y -= 5 * mm
            c.drawString(MARGIN, y, line)
        c.setFont(SANS, 7.5)
        c.setFillColor(colour)
        c.drawCentredString(PAGE_WIDTH / 2, 10 * mm, page.footer)
        c.setFillColor(black)
        return spots

    def _fold_marks(self) -> None:
        c = self.canvas
        c.setLineWidth(0.3)
        for from_top in FOLD_MARKS:
            y = PAGE_HEIGHT - from_top
            c.line(0, y, 5 * mm, y)

    def _address(self, lines: list[str]) -> None:
        """The window's block: left-aligned, the largest size that keeps 38 characters inside."""
        c = self.canvas
        size = 10.0
        while size > 7.0 and max(pdfmetrics.stringWidth(x, SANS, size) for x in lines) > (
            ADDRESS_MAX_WIDTH
        ):
            size -= 0.5
        leading = min(size * 1.25, ADDRESS_MAX_HEIGHT / max(len(lines), 1))
        c.setFont(SANS, size)
        y = PAGE_HEIGHT - ADDRESS_TOP - size
        for line in lines:
            c.drawString(ADDRESS_LEFT, y, line)
            y -= leading

    def _paragraph(self, text, y, *, size, bold=False, indent=0.0):
        """Draw wrapped text whose first line sits at `y`; return the last line's position."""
        c = self.canvas
        font = SANS_BOLD if bold else SANS
        c.setFont(font, size)
        lines = simpleSplit(text, font, size, TEXT_WIDTH - indent)
        for i, line in enumerate(lines):
            if i:
                y -= size * 1.35
            c.drawString(MARGIN + indent, y, line)
        return y

    def _password_frame(self, page: LetterPage, top: float, colour) -> float:
        """The frame around the password, its label and hint; return where the text goes on."""
        c = self.canvas
        c.setStrokeColor(colour)
        c.setLineWidth(1.2)
        c.roundRect(MARGIN, top - PASSWORD_BOX_HEIGHT, TEXT_WIDTH, PASSWORD_BOX_HEIGHT, 3 * mm)
        c.setStrokeColor(black)
        c.setFont(SANS_BOLD, 9.5)
        c.drawString(MARGIN + 5 * mm, top - 6 * mm, page.password_label)
        c.setFont(SANS, 8)
        c.drawCentredString(
            MARGIN + TEXT_WIDTH / 2, top - PASSWORD_BOX_HEIGHT + 2.5 * mm, page.password_hint
        )
        return top - PASSWORD_BOX_HEIGHT - 7 * mm

    def _password(self, page: LetterPage, top: float) -> None:
        """The password in monospace inside its frame, each character named underneath."""
        c = self.canvas
        char_width = pdfmetrics.stringWidth("M", MONO, PASSWORD_SIZE) + PASSWORD_SPACING
        text_width = char_width * len(page.password) - PASSWORD_SPACING
        left = MARGIN + (TEXT_WIDTH - text_width) / 2
        baseline = top - 15.5 * mm
        c.setFont(MONO, PASSWORD_SIZE)
        c.drawString(left, baseline, page.password, charSpace=PASSWORD_SPACING)
        c.setFont(SANS, 6)
        for i, char in enumerate(page.password):
            centre = left + i * char_width + (char_width - PASSWORD_SPACING) / 2
            c.drawCentredString(
                centre, baseline - 4 * mm, page.character_names[_character_kind(char)]
            )


def _character_kind(char: str) -> str:
    if char.isdigit():
        return "digit"
    return "upper" if char.isupper() else "lower"
