"""Reading the letters' PDF back as a person (or a sorting machine) would: what is where."""

import io
from dataclasses import dataclass

from pypdf import PdfReader
from reportlab.lib.units import mm

PAGE_HEIGHT = 297 * mm


@dataclass
class PrintedLetter:
    address_lines: list[str]
    password: str
    text: str


def read_letters(data: bytes) -> list[PrintedLetter]:
    """Each page's address block (the text inside the envelope window) and its password."""
    reader = PdfReader(io.BytesIO(data))
    letters = []
    for page in reader.pages:
        fragments = []

        def visit(text, cm, tm, font, size, fragments=fragments):
            if text.strip():
                x = tm[4] * cm[0] + cm[4]
                y = tm[5] * cm[3] + cm[5]
                fragments.append((x, y, text, size))

        text = page.extract_text(visitor_text=visit)
        window = [
            (y, t)
            for x, y, t, _s in fragments
            # The DL window as placed on the sheet: 100-190 mm from the left, 50-95 mm from the top.
            if 100 * mm <= x <= 190 * mm and 50 * mm <= PAGE_HEIGHT - y <= 95 * mm
        ]
        address = [t.strip() for _y, t in sorted(window, key=lambda item: -item[0])]
        passwords = [t.strip() for _x, _y, t, s in fragments if s >= 20]
        letters.append(PrintedLetter(address, passwords[0] if passwords else "", text))
    return letters
