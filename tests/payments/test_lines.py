"""A payments line as the fund writes it, and as people type amounts: the usual forms are
read at once, the others by the general rules, with the same stored values."""

import datetime
import gc
from dataclasses import replace

import pytest

import registry.lines
from payments.lines import PAYMENTS, parse_payment
from registry.lines import LineContext, LineError, parse_block
from tests.payments import factories

CONTEXT = LineContext(
    kind=PAYMENTS,
    key=b"test-key",
    phone_region="BL",
    today=datetime.date(2026, 12, 6),
    positions=tuple(range(8)),
    parser="payments.lines:parse_payment",
)
AMOUNT = 3  # the position of montant in parse_payment's values


def parsed(**columns) -> tuple:
    return parse_payment(list(factories.payment(1, **columns).values()), CONTEXT)


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("719,01", "719.01"),
        ("719.01", "719.01"),
        ("0,00", "0.00"),
        ("-0,00", "0.00"),
        ("-45,50", "-45.50"),
        ("-45.5", "-45.50"),
        ("007,50", "7.50"),
        ("0,5", "0.50"),
        ("12", "12.00"),
        (" 12,30 ", "12.30"),
        ("1 234,50", "1234.50"),
        ("9999999999,99", "9999999999.99"),
        ("-9 999 999 999,99", "-9999999999.99"),
    ],
)
def test_an_amount_is_stored_in_one_form_however_it_is_written(written, stored):
    assert parsed(montant=written)[AMOUNT] == stored


@pytest.mark.parametrize(
    "written",
    ["12,345", "1,2,3", "douze", "", "--12,00", "1e3", "10000000000,00", "-99 999 999 999,99"],
)
def test_an_amount_that_is_not_one_is_rejected(written):
    with pytest.raises(LineError) as error:
        parsed(montant=written)
    assert error.value.column == "montant"


def test_a_reference_or_a_nature_written_loosely_is_stored_as_the_fund_writes_it():
    loose = parsed(reference="  PAI-00000001 ", nature=" Retraite ")
    assert loose == parsed(reference="PAI-00000001", nature="retraite")
    assert loose[1:5:3] == ("PAI-00000001", "retraite")


# --- A block read column by column gives the rows of the lines read one by one -------------


def block(lines: list[str], *, end: str = "\n") -> bytes:
    return "".join(line + end for line in lines).encode()


def line(number: int, **columns) -> str:
    return ";".join(factories.payment(number, **columns).values())


USUAL = [
    line(1),
    line(2, montant="-45,50", nature="maladie", libelle="Indu"),
    line(3, montant="0,00", periode_debut="", periode_fin=""),
    line(4, montant="-0,00"),
    line(5, montant="719.01", libelle="Indemnités  journalières", nature="indemnites_journalieres"),
    line(
        6, order=2, date_paiement="2026-01-05", periode_debut="2025-12-01", periode_fin="2025-12-31"
    ),
    line(7, reference="A/2025.07_x-1", periode_debut="2025-02-28"),
]


def both_ways(raw: bytes, context=CONTEXT, *, copy_text: bool):
    """parse_block with and without the block parser."""
    by_columns = replace(context, block_parser="payments.lines:payment_columns")
    return (
        parse_block(10, raw, by_columns, copy_text=copy_text),
        parse_block(10, raw, context, copy_text=copy_text),
    )


@pytest.mark.parametrize("copy_text", [True, False])
@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_usual_lines_read_by_columns_give_the_rows_read_line_by_line(copy_text, end):
    # Every line is usual (one without a period: NULLs in COPY): the block is read by columns.
    by_columns = replace(CONTEXT, block_parser="payments.lines:payment_columns")
    text = block(USUAL, end=end).decode()
    assert registry.lines._usual_block(10, text, by_columns, copy_text) is not None

    by_columns, by_lines = both_ways(block(USUAL, end=end), copy_text=copy_text)

    assert by_columns == by_lines
    assert by_lines[1:] == ([], len(USUAL))


def test_columns_in_another_order_are_read_by_columns_alike():
    order = (7, 6, 5, 4, 3, 2, 1, 0)  # the header's columns reversed
    lines = [";".join(reversed(text.split(";"))) for text in USUAL]
    context = replace(CONTEXT, positions=order)
    by_columns, by_lines = both_ways(block(lines), context, copy_text=True)
    assert by_columns == by_lines
    assert by_lines[1:] == ([], len(USUAL))


@pytest.mark.parametrize(
    "unusual",
    [
        line(8, nir="123"),
        line(8, montant="1 234,50"),
        line(8, montant="12,345"),
        line(8, nature="Retraite"),
        line(8, reference=" PAI-8"),
        line(8, date_paiement="05/03/2025"),
        line(8, periode_debut="2025-03-01"),  # after its end
        line(8, periode_fin=""),
        line(8, libelle=""),
        line(8, libelle="C:\\chemin"),
        line(8, libelle='"Pension; de base"'),
        line(8) + ";",
        "",
        "   ",
    ],
)
def test_a_block_with_an_unusual_line_is_read_line_by_line_to_the_same_result(unusual):
    lines = [*USUAL[:3], unusual, *USUAL[3:]]
    for copy_text in (True, False):
        by_columns, by_lines = both_ways(block(lines), copy_text=copy_text)
        assert by_columns == by_lines


def test_a_parsing_process_collects_the_cycles_a_block_leaves():
    # Parsing processes run without the automatic collector; a rejected email leaves a cycle
    # (Django's ValidationError refers to itself) holding the block: collected block by block.
    from registry.lines import COLUMNS, PERSONS, init_process, parse_block_in_process
    from tests.registry import factories as registry_factories

    context = replace(
        CONTEXT,
        kind=PERSONS,
        positions=tuple(range(len(COLUMNS[PERSONS]))),
        parser="registry.lines:parse_person",
    )
    rows = [registry_factories.person(1), registry_factories.person(2, email="x@")]
    raw = "".join(";".join(row[c] for c in COLUMNS[PERSONS]) + "\n" for row in rows).encode()
    try:
        init_process(context, copy_text=True)
        gc.collect()
        _rows, rejects, parsed = parse_block_in_process(2, raw)
        assert (len(rejects), parsed) == (1, 2)
        assert gc.collect() == 0
    finally:
        gc.enable()
        init_process(None)
