"""Reading a rendered step the way a person (or a screen reader) meets it."""

import html
import re


def field_error(page: str, field: str) -> str:
    """The error message shown next to a field (its <p id="id_<field>_error">), as text."""
    match = re.search(
        rf'<p class="field__error[^"]*"\s+id="id_{field}_error">(.*?)</p>', page, re.S
    )
    assert match, f"no error next to {field}"
    text = re.sub(r"<[^>]+>", " ", match.group(1))
    return " ".join(html.unescape(text).replace("Erreur :", "").split())


def input_tag(page: str, field: str) -> str:
    match = re.search(rf'<(?:input|textarea)[^>]*\bid="id_{field}"[^>]*>', page)
    assert match, f"no input for {field}"
    return match.group(0)


def input_value(page: str, field: str) -> str:
    tag = input_tag(page, field)
    if tag.startswith("<textarea"):
        body = re.search(rf'id="id_{field}"[^>]*>(.*?)</textarea>', page, re.S).group(1)
        return html.unescape(body).strip("\n")
    match = re.search(r'\bvalue="([^"]*)"', tag)
    return html.unescape(match.group(1)) if match else ""


def text(page: str) -> str:
    """The page's visible words, tags removed, entities decoded, spaces collapsed."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
