"""The letters' PDF as a printer receives it: well formed, fonts embedded, every name whole."""

import io

import pytest
from pypdf import PdfReader

from delivery.letters import letters_batch_generate
from tests.backoffice import factories
from tests.delivery.pdf_reading import read_letters

pytestmark = pytest.mark.django_db


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
    # The printer adds nothing: DejaVu Sans, its bold and its monospace bold, as TrueType
    # subsets (their names prefixed with a tag, ISO 32000-1 §9.6.4).
    embedded = sorted(
        (
            str(font["/BaseFont"]).split("+")[-1],
            next(k for k in font["/FontDescriptor"] if "FontFile" in k),
        )
        for font in (f.get_object() for f in fonts.values())
    )
    assert sorted(set(embedded)) == [
        ("DejaVuSans", "/FontFile2"),
        ("DejaVuSans-Bold", "/FontFile2"),
        ("DejaVuSansMono-Bold", "/FontFile2"),
    ]
    # French text and the masked identifier's bullets come back as written.
    text = read_letters(out.getvalue())[0].text
    assert "Numéro de Sécurité Sociale : 1 85 05 •• ••• •••" in text
    assert "Valable jusqu'au" in text and "Nous vous prions d'agréer" in text


def test_a_name_from_elsewhere_is_printed_whole():
    person = factories.person(nom="Dvořák", prenoms="Łukasz Zoë")
    factories.letter(user=factories.member(person=person))
    out = io.BytesIO()
    letters_batch_generate(out=out)

    letter = read_letters(out.getvalue())[0]
    # The name as the registry spells it; the other lines follow the postal rules (postal.py).
    assert letter.address_lines[0] == "Łukasz DVOŘÁK"
