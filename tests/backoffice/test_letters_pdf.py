"""The letters' PDF as a printer receives it: well formed, fonts embedded, written as it goes."""

import io

import pytest
from pypdf import PdfReader

from delivery.letters import letters_batch_generate
from delivery.pdf import pdf_text
from tests.backoffice import factories
from tests.backoffice.pdf_reading import read_letters

pytestmark = pytest.mark.django_db


class Watched(io.BytesIO):
    """A file that remembers how much had been written when each letter's codes were issued."""

    def __init__(self):
        super().__init__()
        self.sizes = []


def test_every_font_is_embedded_and_the_file_reads_strictly():
    factories.letter()
    out = io.BytesIO()
    letters_batch_generate(out=out)

    reader = PdfReader(io.BytesIO(out.getvalue()), strict=True)
    fonts = {}
    for page in reader.pages:
        resources = page["/Resources"]
        fonts.update(resources["/Font"])
        for form in resources["/XObject"].values():
            fonts.update(form.get_object()["/Resources"]["/Font"])
    # The printer adds nothing: Vera Sans and its bold as TrueType, Courier Bold as Type 1.
    embedded = sorted(
        (str(font["/BaseFont"]), next(k for k in font["/FontDescriptor"] if "FontFile" in k))
        for font in (f.get_object() for f in fonts.values())
    )
    assert embedded == [
        ("/BitstreamVeraSans-Bold", "/FontFile2"),
        ("/BitstreamVeraSans-Roman", "/FontFile2"),
        ("/Courier-Bold", "/FontFile"),
    ]
    # French text and the masked identifier's bullets come back as written.
    text = read_letters(out.getvalue())[0].text
    assert "Numéro de Sécurité Sociale : 1 85 05 •• ••• •••" in text
    assert "Valable jusqu'au" in text and "Nous vous prions d'agréer" in text


def test_pages_reach_the_file_while_the_batch_runs_not_all_at_the_end(monkeypatch):
    from delivery import letters

    for _ in range(3):
        factories.letter()
    out = Watched()
    monkeypatch.setattr(letters, "CHUNK_SIZE", 1)
    real_issue = letters.temporary_passwords_issue

    def issue(**kwargs):
        out.sizes.append(out.tell())
        return real_issue(**kwargs)

    monkeypatch.setattr(letters, "temporary_passwords_issue", issue)
    letters_batch_generate(out=out)

    first, second, third = out.sizes
    assert first < second < third < len(out.getvalue())  # each letter written before the next
    assert len(PdfReader(io.BytesIO(out.getvalue())).pages) == 3


def test_a_name_from_elsewhere_keeps_its_letters_without_the_accents_french_lacks():
    assert pdf_text("Łukasz Dvořák (Zoë)") == b"(Lukasz Dvor\xe1k \\(Zo\xeb\\))"
    assert pdf_text("Le 6 d\u00e9cembre\u202f2026") == b"(Le 6 d\xe9cembre\xa02026)"
