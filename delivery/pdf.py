"""The letters' PDF: A4, one page a letter, address in the window of a DL envelope (DESIGN §7).

Envelope: the French standard DL (110 × 220 mm) with its window on the right, 100 × 45 mm,
20 mm from the right edge and 15 mm from the bottom, i.e. 100 to 200 mm from the envelope's
left edge and 50 to 95 mm from its top. The A4 sheet, folded in three (99 mm panels), can move
by up to 10 mm sideways and 11 mm up and down in the envelope, so the block is placed where
the window shows it in every position: from 105 mm from the sheet's left edge, no wider than
82 mm, and between 52 and 82 mm from its top.

Fonts come with reportlab itself, so that a machine with only PyPI prints the same letters:
Bitstream Vera Sans (the font DejaVu Sans grew from; French accents, « », •) and the URW
Courier Bold Type 1 for the password, both embedded in the PDF so the printer adds nothing.
They are embedded whole, as simple fonts in the Windows-1252 encoding (WinAnsiEncoding, ISO
32000-1 §9.6 and annex D), which holds every character of French; reportlab gives their
metrics (widths, line breaks).

The file is streamed: each page is written to `out` as soon as it is drawn, and only the
position of each PDF object is kept until the end (a few bytes a letter), so memory stays the
same for 1,000 letters or 100,000 (docs/decisions/temporary-passwords-as-keyed-digests.md).
What letters share (letterhead, texts, frame) is drawn once as a PDF form placed on each page.
"""

import array
import datetime
import os
import unicodedata
import zlib
from dataclasses import dataclass, field

import reportlab
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

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

_FONT_FOLDER = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
# Each font: its resource name in the pages, its file, and how it is embedded.
_FONT_FILES = {
    SANS: ("F1", "Vera.ttf"),
    SANS_BOLD: ("F2", "VeraBd.ttf"),
    MONO: ("F3", "cob_____.pfb"),
}
_fonts_ready = False


def register_fonts() -> None:
    """Register the fonts' metrics with reportlab once per process."""
    global _fonts_ready
    if _fonts_ready:
        return
    pdfmetrics.registerFont(TTFont(SANS, os.path.join(_FONT_FOLDER, "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(SANS_BOLD, os.path.join(_FONT_FOLDER, "VeraBd.ttf")))
    face = pdfmetrics.EmbeddedType1Face(
        os.path.join(_FONT_FOLDER, "cob_____.afm"), os.path.join(_FONT_FOLDER, "cob_____.pfb")
    )
    pdfmetrics.registerTypeFace(face)
    pdfmetrics.registerFont(pdfmetrics.Font(MONO, face.name, "WinAnsiEncoding"))
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


class PdfStream:
    """A PDF file written object after object: what is written is not kept.

    Object numbers are handed out first (``reserve``), so that a page can name the page tree,
    the fonts and the shared resources that are written only at the end (ISO 32000-1 §7.5).
    """

    def __init__(self, out):
        self.out = out
        # Object number → where it starts; machine integers, 8 bytes an object.
        self.offsets = array.array("Q", [0])
        self.position = 0
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def reserve(self) -> int:
        self.offsets.append(0)
        return len(self.offsets) - 1

    def write(self, number: int, body: bytes) -> None:
        self.offsets[number] = self.position
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def write_stream(self, number: int, data: bytes, entries: bytes = b"") -> None:
        """A stream object, Flate-compressed."""
        packed = zlib.compress(data, 6)
        self.write(
            number,
            b"<< /Length %d /Filter /FlateDecode %s >>\nstream\n%s\nendstream"
            % (len(packed), entries, packed),
        )

    def close(self, *, root: int, info: int) -> None:
        """Write the cross-reference table and the trailer."""
        start = self.position
        rows = [b"xref\n0 %d\n0000000000 65535 f \n" % len(self.offsets)]
        rows += [b"%010d 00000 n \n" % offset for offset in self.offsets[1:]]
        rows.append(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(self.offsets), root, info, start)
        )
        self._write(b"".join(rows))

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.position += len(data)


# Letters that Unicode does not decompose into a base letter and an accent.
_STROKED = str.maketrans("ŁłĐđĦħıŦŧ", "LlDdHhiTt")


def pdf_text(text: str) -> bytes:
    """A literal string in the fonts' encoding (Windows-1252), special characters escaped.

    Windows-1252 holds every character of French; a name from elsewhere loses the accents it
    cannot keep (« Dvořák » is printed « Dvorák »), and « ? » stands for what has no base
    letter."""
    # The narrow no-break space of French typography is not in Windows-1252: its wider sister.
    text = text.replace("\u202f", "\u00a0")
    try:
        data = text.encode("cp1252")
    except UnicodeEncodeError:
        data = "".join(_in_cp1252(char) for char in text).encode("cp1252", errors="replace")
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _in_cp1252(char: str) -> str:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return unicodedata.normalize("NFKD", char.translate(_STROKED))[0]
    return char


def pdf_info_text(text: str) -> bytes:
    """A text string of the document's information (title...), in UTF-16 (§7.9.2.2)."""
    return b"<" + ("\ufeff" + text).encode("utf-16-be").hex().upper().encode() + b">"


class _Drawing:
    """The operators of one content stream, for text, lines and colours."""

    def __init__(self):
        self.parts: list[bytes] = []

    def text(self, x: float, y: float, font: str, size: float, text: str, *, spacing=0.0):
        self.parts.append(
            b"BT /%s %.2f Tf %.2f Tc 1 0 0 1 %.2f %.2f Tm %s Tj ET"
            % (_FONT_FILES[font][0].encode(), size, spacing, x, y, pdf_text(text))
        )

    def right(self, x, y, font, size, text):
        self.text(x - pdfmetrics.stringWidth(text, font, size), y, font, size, text)

    def centred(self, x, y, font, size, text):
        self.text(x - pdfmetrics.stringWidth(text, font, size) / 2, y, font, size, text)

    def fill(self, colour) -> None:
        self.parts.append(b"%.4f %.4f %.4f rg" % (colour.red, colour.green, colour.blue))

    def stroke(self, colour, width: float) -> None:
        self.parts.append(
            b"%.4f %.4f %.4f RG %.2f w" % (colour.red, colour.green, colour.blue, width)
        )

    def line(self, x1, y1, x2, y2) -> None:
        self.parts.append(b"%.2f %.2f m %.2f %.2f l S" % (x1, y1, x2, y2))

    def round_rect(self, x, y, width, height, radius) -> None:
        k = radius * 0.4477  # how far a quarter circle's Bézier handles reach: r(1 - 0.5523)
        right, top = x + width, y + height
        self.parts.append(
            b"%.2f %.2f m %.2f %.2f l %.2f %.2f %.2f %.2f %.2f %.2f c "
            b"%.2f %.2f l %.2f %.2f %.2f %.2f %.2f %.2f c "
            b"%.2f %.2f l %.2f %.2f %.2f %.2f %.2f %.2f c "
            b"%.2f %.2f l %.2f %.2f %.2f %.2f %.2f %.2f c s"
            % (
                *(x + radius, y, right - radius, y),
                *(right - k, y, right, y + k, right, y + radius),
                *(right, top - radius),
                *(right, top - k, right - k, top, right - radius, top),
                *(x + radius, top),
                *(x + k, top, x, top - k, x, top - radius),
                *(x, y + radius),
                *(x, y + k, x + k, y, x + radius, y),
            )
        )

    def data(self) -> bytes:
        return b"\n".join(self.parts)


BLACK = HexColor("#000000")


class LetterPrinter:
    """Draw letters one page at a time into `out`; `close()` ends the PDF.

    What every letter of a language and identifier type shares (letterhead, texts, frame) is
    drawn once as a PDF form and placed on each page: only the address, the identifier and
    the password are drawn per page, which keeps 10,000 pages fast and small.
    """

    def __init__(self, out, *, title: str, author: str):
        register_fonts()
        self.pdf = PdfStream(out)
        self.title, self.author = title, author
        self.catalog, self.page_tree, self.info = (self.pdf.reserve() for _ in range(3))
        self.resources = self.pdf.reserve()
        self.fonts = {name: self.pdf.reserve() for name in _FONT_FILES}
        self.page_ids = array.array("Q")
        self.pages = 0
        self._templates: dict[tuple, tuple[str, int, dict]] = {}

    def add(self, page: LetterPage) -> None:
        form, _number, spots = self._template(page)
        drawing = _Drawing()
        drawing.parts.append(b"q /%s Do Q" % form.encode())
        self._address(drawing, page.address_lines)
        drawing.text(MARGIN, spots["reference"], SANS, 9.5, page.reference)
        if page.password:  # a notice letter has none
            self._password(drawing, page, spots["password"])
        page_id, contents = self.pdf.reserve(), self.pdf.reserve()
        self.pdf.write_stream(contents, drawing.data())
        self.pdf.write(
            page_id,
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources %d 0 R "
            b"/Contents %d 0 R >>"
            % (self.page_tree, PAGE_WIDTH, PAGE_HEIGHT, self.resources, contents),
        )
        self.page_ids.append(page_id)
        self.pages += 1

    def close(self) -> None:
        """Write what the pages refer to (page tree, fonts, shared resources), then the end."""
        pdf = self.pdf
        kids = b" ".join(b"%d 0 R" % number for number in self.page_ids)
        pdf.write(self.page_tree, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, self.pages))
        fonts = b" ".join(
            b"/%s %d 0 R" % (_FONT_FILES[name][0].encode(), number)
            for name, number in self.fonts.items()
        )
        forms = b" ".join(
            b"/%s %d 0 R" % (name.encode(), n) for name, n, _s in self._templates.values()
        )
        pdf.write(self.resources, b"<< /Font << %s >> /XObject << %s >> >>" % (fonts, forms))
        for name, number in self.fonts.items():
            _write_font(pdf, number, name)
        pdf.write(self.catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % self.page_tree)
        stamp = datetime.datetime.now(datetime.UTC).strftime("D:%Y%m%d%H%M%SZ")
        pdf.write(
            self.info,
            b"<< /Title %s /Author %s /Subject %s /Producer (Mon espace prive) "
            b"/CreationDate (%s) >>"
            % (
                pdf_info_text(self.title),
                pdf_info_text(self.author),
                pdf_info_text(self.title),
                stamp.encode(),
            ),
        )
        pdf.close(root=self.catalog, info=self.info)

    def _template(self, page: LetterPage) -> tuple[str, int, dict]:
        key = tuple(
            tuple(v) if isinstance(v, list) else v
            for name, v in vars(page).items()
            if name not in ("address_lines", "reference", "password", "character_names", "metadata")
        )
        if key not in self._templates:
            drawing = _Drawing()
            spots = self._draw_static(drawing, page)
            number = self.pdf.reserve()
            fonts = b" ".join(
                b"/%s %d 0 R" % (_FONT_FILES[name][0].encode(), n) for name, n in self.fonts.items()
            )
            self.pdf.write_stream(
                number,
                drawing.data(),
                b"/Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f] "
                b"/Resources << /Font << %s >> >>" % (PAGE_WIDTH, PAGE_HEIGHT, fonts),
            )
            self._templates[key] = (f"Letter{len(self._templates)}", number, spots)
        return self._templates[key]

    def _draw_static(self, d: _Drawing, page: LetterPage) -> dict:
        """Draw what does not change from one letter to the next; return where the rest goes."""
        colour = HexColor(page.colour)
        spots = {}
        d.stroke(BLACK, 0.3)
        for from_top in FOLD_MARKS:
            d.line(0, PAGE_HEIGHT - from_top, 5 * mm, PAGE_HEIGHT - from_top)
        # Sender, top left.
        y = PAGE_HEIGHT - 18 * mm
        d.fill(colour)
        d.text(MARGIN, y, SANS_BOLD, 12, page.sender_lines[0])
        d.fill(BLACK)
        for line in page.sender_lines[1:]:
            y -= 4.2 * mm
            d.text(MARGIN, y, SANS, 8.5, line)
        # Below the first fold: the letter itself.
        y = PAGE_HEIGHT - 106 * mm
        d.right(PAGE_WIDTH - MARGIN, y, SANS, 9.5, page.date_line)
        y -= 8 * mm
        d.text(MARGIN, y, SANS_BOLD, 10.5, page.subject)
        y -= 5 * mm
        spots["reference"] = y
        y -= 9 * mm
        d.text(MARGIN, y, SANS, 9.5, page.salutation)
        y = self._paragraph(d, page.intro, y - 6 * mm, size=9.5)
        spots["password"] = y - 6 * mm
        if page.password_label:
            y = self._password_frame(d, page, spots["password"], colour)
            d.text(MARGIN, y, SANS_BOLD, 10, page.expiry)
            y -= 9 * mm
        else:
            y -= 3 * mm
        d.fill(colour)
        d.text(MARGIN, y, SANS_BOLD, 10.5, page.how_title)
        d.fill(BLACK)
        for number, step in enumerate(page.how_steps, start=1):
            y = self._paragraph(d, f"{number}. {step}", y - 5.5 * mm, size=9.5, indent=4 * mm)
        y = self._paragraph(d, page.warning, y - 7 * mm, size=9, bold=True)
        y -= 7 * mm
        d.fill(colour)
        d.text(MARGIN, y, SANS_BOLD, 10.5, page.contact_title)
        d.fill(BLACK)
        for line in page.contact_lines:
            y = self._paragraph(d, line, y - 5 * mm, size=9)
        y = self._paragraph(d, page.closing, y - 7 * mm, size=9.5)
        for line in page.signature:
            y -= 5 * mm
            d.text(MARGIN, y, SANS_BOLD, 9.5, line)
        d.fill(colour)
        d.centred(PAGE_WIDTH / 2, 10 * mm, SANS, 7.5, page.footer)
        d.fill(BLACK)
        return spots

    def _address(self, d: _Drawing, lines: list[str]) -> None:
        """The window's block: left-aligned, the largest size that keeps 38 characters inside."""
        size = 10.0
        while size > 7.0 and max(pdfmetrics.stringWidth(x, SANS, size) for x in lines) > (
            ADDRESS_MAX_WIDTH
        ):
            size -= 0.5
        leading = min(size * 1.25, ADDRESS_MAX_HEIGHT / max(len(lines), 1))
        y = PAGE_HEIGHT - ADDRESS_TOP - size
        for line in lines:
            d.text(ADDRESS_LEFT, y, SANS, size, line)
            y -= leading

    def _paragraph(self, d: _Drawing, text, y, *, size, bold=False, indent=0.0):
        """Draw wrapped text whose first line sits at `y`; return the last line's position."""
        font = SANS_BOLD if bold else SANS
        for i, line in enumerate(simpleSplit(text, font, size, TEXT_WIDTH - indent)):
            if i:
                y -= size * 1.35
            d.text(MARGIN + indent, y, font, size, line)
        return y

    def _password_frame(self, d: _Drawing, page: LetterPage, top: float, colour) -> float:
        """The frame around the password, its label and hint; return where the text goes on."""
        d.stroke(colour, 1.2)
        d.round_rect(MARGIN, top - PASSWORD_BOX_HEIGHT, TEXT_WIDTH, PASSWORD_BOX_HEIGHT, 3 * mm)
        d.stroke(BLACK, 1.2)
        d.text(MARGIN + 5 * mm, top - 6 * mm, SANS_BOLD, 9.5, page.password_label)
        d.centred(
            MARGIN + TEXT_WIDTH / 2,
            top - PASSWORD_BOX_HEIGHT + 2.5 * mm,
            SANS,
            8,
            page.password_hint,
        )
        return top - PASSWORD_BOX_HEIGHT - 7 * mm

    def _password(self, d: _Drawing, page: LetterPage, top: float) -> None:
        """The password in monospace inside its frame, each character named underneath."""
        char_width = pdfmetrics.stringWidth("M", MONO, PASSWORD_SIZE) + PASSWORD_SPACING
        text_width = char_width * len(page.password) - PASSWORD_SPACING
        left = MARGIN + (TEXT_WIDTH - text_width) / 2
        baseline = top - 15.5 * mm
        d.text(left, baseline, MONO, PASSWORD_SIZE, page.password, spacing=PASSWORD_SPACING)
        for i, char in enumerate(page.password):
            centre = left + i * char_width + (char_width - PASSWORD_SPACING) / 2
            d.centred(
                centre, baseline - 4 * mm, SANS, 6, page.character_names[_character_kind(char)]
            )


def _write_font(pdf: PdfStream, number: int, name: str) -> None:
    """A font as a simple font in WinAnsiEncoding, its whole file embedded."""
    face = pdfmetrics.getFont(name).face
    path = os.path.join(_FONT_FOLDER, _FONT_FILES[name][1])
    with open(path, "rb") as file:
        data = file.read()
    descriptor, program = pdf.reserve(), pdf.reserve()
    codes = range(32, 256)
    widths = b" ".join(
        b"%.1f" % pdfmetrics.stringWidth(bytes([code]).decode("cp1252", "ignore"), name, 1000)
        for code in codes
    )
    monospace = name == MONO
    if monospace:
        # A Type 1 font file (PFB): its clear, binary and trailer parts, without their headers.
        parts = _pfb_parts(data)
        pdf.write_stream(
            program,
            b"".join(parts),
            b"/Length1 %d /Length2 %d /Length3 %d" % tuple(len(part) for part in parts),
        )
        subtype, base, font_file = b"Type1", face.name.encode(), b"FontFile"
    else:
        pdf.write_stream(program, data, b"/Length1 %d" % len(data))
        subtype, base, font_file = b"TrueType", face.name, b"FontFile2"
    pdf.write(
        descriptor,
        b"<< /Type /FontDescriptor /FontName /%s /Flags %d /FontBBox [%s] /ItalicAngle %d "
        b"/Ascent %d /Descent %d /CapHeight %d /StemV %d /%s %d 0 R >>"
        % (
            base,
            33 if monospace else 32,  # non-symbolic (§9.8.2), fixed-pitch for the password
            b" ".join(b"%d" % round(value) for value in face.bbox),
            round(face.italicAngle),
            round(face.ascent),
            round(face.descent),
            round(face.capHeight),
            face.stemV or 80,
            font_file,
            program,
        ),
    )
    pdf.write(
        number,
        b"<< /Type /Font /Subtype /%s /BaseFont /%s /FirstChar 32 /LastChar 255 /Widths [%s] "
        b"/Encoding /WinAnsiEncoding /FontDescriptor %d 0 R >>"
        % (subtype, base, widths, descriptor),
    )


def _pfb_parts(data: bytes) -> list[bytes]:
    """The three parts of a Type 1 font in PFB form (Adobe technical note 5040, §2)."""
    parts, position = [], 0
    while data[position + 1] != 3:  # each segment: 0x80, its type, its length (little-endian)
        length = int.from_bytes(data[position + 2 : position + 6], "little")
        parts.append(data[position + 6 : position + 6 + length])
        position += 6 + length
    clear, binary, *trailer = parts
    return [clear, binary, b"".join(trailer)]


def _character_kind(char: str) -> str:
    if char.isdigit():
        return "digit"
    return "upper" if char.isupper() else "lower"
