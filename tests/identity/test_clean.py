"""Separator removal and upper-casing: their shortcut for plain ASCII gives what the full
translation gives, on any text."""

from hypothesis import given
from hypothesis import strategies as st

from identity._clean import _ASCII_UPPER, _DROP, remove_separators, upper_ascii

TYPED = st.text(
    st.sampled_from("0123456789azAZ2ab \t\u00a0.-_/\u2010\u2013\u200b\ufefféßıİ"), max_size=20
)


@given(st.one_of(TYPED, st.text(max_size=20), st.from_regex(r"[0-9A-Za-z]{0,20}", fullmatch=True)))
def test_the_shortcuts_give_what_the_full_translation_gives(text):
    assert remove_separators(text) == "".join(text.split()).translate(_DROP)
    assert upper_ascii(text) == text.translate(_ASCII_UPPER)
