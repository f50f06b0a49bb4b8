"""The attestations' PDF: A4, the fund's letterhead, a text, an optional table, and the
verification code (docs/product.md §13). Drawn into the response as it is asked for, never stored.

The fonts are the letters' (delivery.pdf: embedded, from reportlab itself), so that every
machine prints the same attestation.
"""

from dataclasses import dataclass, field

from reportlab.lib.colors import HexColor, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from delivery.pdf import SANS, SANS_BOLD, register_fonts

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
BOTTOM = 30 * mm
ROW_SIZE = 8.5
ROW_LEADING = 3.8 * mm


@dataclass
class Table:
    """Rows of text under a header; ``widths`` in fractions of the text's width; the last
    column is right-aligned (amounts)."""

    header: list[str]
    rows: list[list[str]]
    widths: list[float]
    total: list[str] | None = None


@dataclass
class AttestationPage:
    """Everything printed, already in the member's language."""

    sender_lines: list[str]
    title: str
    date_line: str
    holder_lines: list[str]
    paragraphs: list[str]
    table: Table | None
    closing: list[str]
    code_label: str
    code: str
    verify_hint: str
    footer: str
    colour: str = "#0b5e5a"
    metadata: dict = field(default_factory=dict)


def attestation_draw(out, page: AttestationPage) -> None:
    """Write the attestation's PDF into ``out`` (a file or a response)."""
    register_fonts()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(page.title)
    pdf.setAuthor(page.sender_lines[0])
    _Drawing(pdf, page).draw()
    pdf.save()


class _Drawing:
    def __init__(self, pdf, page: AttestationPage):
        self.pdf = pdf
        self.page = page
        self.colour = HexColor(page.colour)
        self.number = 1

    def draw(self) -> None:
        page = self.page
        y = self._letterhead()
        pdf = self.pdf
        pdf.setFont(SANS, 9.5)
        pdf.drawRightString(PAGE_WIDTH - MARGIN, y, page.date_line)
        y -= 12 * mm
        pdf.setFillColor(self.colour)
        pdf.setFont(SANS_BOLD, 15)
        pdf.drawString(MARGIN, y, page.title)
        pdf.setFillColor(black)
        y -= 9 * mm
        pdf.setFont(SANS_BOLD, 10)
        for line in page.holder_lines:
            pdf.drawString(MARGIN, y, line)
            y -= 5 * mm
        y -= 3 * mm
        for paragraph in page.paragraphs:
            y = self._paragraph(paragraph, y) - 4 * mm
        if page.table:
            y = self._table(page.table, y) - 4 * mm
        for line in page.closing:
            y = self._paragraph(line, self._room(y, 12 * mm)) - 2 * mm
        self._code(self._room(y - 4 * mm, 24 * mm))
        self._footer()

    def _letterhead(self) -> float:
        pdf, lines = self.pdf, self.page.sender_lines
        y = PAGE_HEIGHT - 18 * mm
        pdf.setFillColor(self.colour)
        pdf.rect(0, PAGE_HEIGHT - 8 * mm, PAGE_WIDTH, 8 * mm, stroke=0, fill=1)
        pdf.setFont(SANS_BOLD, 13)
        pdf.drawString(MARGIN, y, lines[0])
        pdf.setFillColor(black)
        pdf.setFont(SANS, 8.5)
        for line in lines[1:]:
            y -= 4.2 * mm
            pdf.drawString(MARGIN, y, line)
        return y - 10 * mm

    def _paragraph(self, text: str, y: float, *, size: float = 10) -> float:
        pdf = self.pdf
        pdf.setFont(SANS, size)
        for line in simpleSplit(text, SANS, size, TEXT_WIDTH):
            y = self._room(y, size * 1.4)
            pdf.setFont(SANS, size)
            pdf.drawString(MARGIN, y, line)
            y -= size * 1.4
        return y

    def _table(self, table: Table, y: float) -> float:
        lefts, position = [], MARGIN
        for width in table.widths:
            lefts.append(position)
            position += width * TEXT_WIDTH
        y = self._row(table.header, lefts, self._room(y, 20 * mm), bold=True)
        for row in table.rows:
            if y - self._height(row, lefts) < BOTTOM:
                y = self._row(table.header, lefts, self._new_page(), bold=True)
            y = self._row(row, lefts, y)
        if table.total:
            y = self._room(y, 8 * mm)
            self.pdf.setStrokeColor(self.colour)
            self.pdf.line(MARGIN, y + 3.8 * mm, PAGE_WIDTH - MARGIN, y + 3.8 * mm)
            y = self._row(table.total, lefts, y, bold=True)
        return y

    def _cells(self, cells: list[str], lefts: list[float], font: str) -> list[list[str]]:
        """Each cell's lines, wrapped to its column: nothing on an attestation is cut off."""
        wrapped = []
        for index, cell in enumerate(cells):
            if index == len(cells) - 1:
                wrapped.append([cell])
                continue
            width = (lefts[index + 1] - lefts[index]) - 2 * mm
            wrapped.append(simpleSplit(cell, font, ROW_SIZE, width) if cell else [""])
        return wrapped

    def _height(self, cells: list[str], lefts: list[float], *, bold=False) -> float:
        lines = self._cells(cells, lefts, SANS_BOLD if bold else SANS)
        return max(len(cell) for cell in lines) * ROW_LEADING + 1.5 * mm

    def _row(self, cells: list[str], lefts: list[float], y: float, *, bold=False) -> float:
        pdf = self.pdf
        font = SANS_BOLD if bold else SANS
        pdf.setFont(font, ROW_SIZE)
        wrapped = self._cells(cells, lefts, font)
        last = len(cells) - 1
        for index, (lines, left) in enumerate(zip(wrapped, lefts, strict=True)):
            for number, line in enumerate(lines):
                if index == last:
                    pdf.drawRightString(PAGE_WIDTH - MARGIN, y - number * ROW_LEADING, line)
                else:
                    pdf.drawString(left, y - number * ROW_LEADING, line)
        return y - max(len(lines) for lines in wrapped) * ROW_LEADING - 1.5 * mm

    def _code(self, y: float) -> None:
        pdf, page = self.pdf, self.page
        height = 20 * mm
        pdf.setStrokeColor(self.colour)
        pdf.setLineWidth(1.2)
        pdf.roundRect(MARGIN, y - height, TEXT_WIDTH, height, 3 * mm)
        pdf.setFont(SANS_BOLD, 9.5)
        pdf.drawString(MARGIN + 5 * mm, y - 6 * mm, page.code_label)
        pdf.setFont(SANS_BOLD, 16)
        pdf.drawString(MARGIN + 5 * mm, y - 13 * mm, page.code)
        pdf.setFont(SANS, 8)
        pdf.drawString(MARGIN + 5 * mm, y - 17.5 * mm, page.verify_hint)

    def _room(self, y: float, needed: float) -> float:
        return y if y - needed >= BOTTOM else self._new_page()

    def _new_page(self) -> float:
        self._footer()
        self.pdf.showPage()
        self.number += 1
        return PAGE_HEIGHT - 20 * mm

    def _footer(self) -> None:
        pdf = self.pdf
        pdf.setFont(SANS, 7.5)
        pdf.setFillColor(self.colour)
        pdf.drawCentredString(PAGE_WIDTH / 2, 10 * mm, f"{self.page.footer} — {self.number}")
        pdf.setFillColor(black)
