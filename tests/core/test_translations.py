"""The English translation: every text translated, the compiled catalogue up to date.

After adding or changing text: `make messages`, translate locale/en/LC_MESSAGES/django.po,
commit the .po and the .mo. These tests need GNU gettext (`apt-get install gettext`); without
it they are skipped loudly, and REQUIRE_GETTEXT=1 (CI) turns that into a failure.
"""

import ast
import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGUE = Path("locale", "en", "LC_MESSAGES", "django.po")
COMPILED = CATALOGUE.with_suffix(".mo")
GETTEXT_TOOLS = ["xgettext", "msguniq", "msgmerge", "msgattrib", "msgfmt"]
# Left behind when copying the project: what makemessages ignores anyway, and what is large.
NOT_COPIED = shutil.ignore_patterns(
    ".*", "venv", "var", "staticfiles", "node_modules", "__pycache__", "tests", "bench", "docs"
)


@pytest.fixture(scope="module")
def gettext_tools():
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        message = (
            f"GNU gettext not found ({', '.join(missing)}): TRANSLATION TESTS SKIPPED "
            "(apt-get install gettext)."
        )
        if os.environ.get("REQUIRE_GETTEXT") == "1":
            pytest.fail(message + " REQUIRE_GETTEXT=1 makes this a failure.")
        print("\n" + "!" * 72 + "\n" + message + "\n" + "!" * 72)
        pytest.skip(message)


def test_every_text_of_the_project_is_translated_into_english(gettext_tools, tmp_path):
    # makemessages writes next to the templates and into locale/: run it on a copy, so the
    # working tree is left alone and what it finds is what `make messages` would find.
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED)
    result = subprocess.run(
        [sys.executable, "manage.py", "update_messages", "--no-compile", "--verbosity", "0"],
        cwd=copy,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr

    problems = [
        f"  {'fuzzy' if 'fuzzy' in entry['flags'] else 'untranslated'}: "
        f"{entry['msgid']!r} ({', '.join(entry['locations']) or 'header'})"
        for entry in catalogue_entries(copy / CATALOGUE)
        if "fuzzy" in entry["flags"] or (entry["msgid"] and not all(entry["msgstr"].values()))
    ]
    assert not problems, (
        f"{len(problems)} text(s) without an English translation. Run `make messages`, "
        f"translate them in {CATALOGUE}, and commit the .po and the .mo:\n" + "\n".join(problems)
    )


def test_compiled_catalogue_is_the_committed_translation():
    with open(ROOT / COMPILED, "rb") as compiled:
        # _catalog: the messages as gettext loaded them (there since Python 2, undocumented).
        in_mo = gettext.GNUTranslations(compiled)._catalog
    in_mo.pop("", None)
    assert in_mo == catalogue_translations(ROOT / CATALOGUE), (
        f"{COMPILED} is not the compilation of {CATALOGUE}: run `make messages` and commit both."
    )


def test_translations_keep_the_placeholders_of_the_french(gettext_tools, tmp_path):
    # msgfmt --check refuses a translation that drops or renames a %(name)s placeholder.
    checked = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(ROOT / CATALOGUE)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.django_db
def test_pages_come_in_english_once_chosen(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    home = client.get("/").content.decode()
    assert "Skip to content" in home
    assert ">Register<" in home
    assert "S&#x27;inscrire" not in home
    contact = client.get("/contact/").content.decode()
    assert "Monday to Friday, 7:30 am to 12 noon and 1:30 pm to 3:30 pm" in contact


def catalogue_entries(path: Path) -> list[dict]:
    """The entries of a .po file (obsolete ones left out), each with its flags and texts."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = {"locations": [], "flags": set(), "msgctxt": None, "msgid": "", "msgstr": {}}
        field = None
        for line in block.splitlines():
            if line.startswith("#:"):
                entry["locations"] += line[2:].split()
            elif line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                append_text(entry, field, ast.literal_eval(line))
            else:
                keyword, _, quoted = line.partition(" ")
                field = keyword
                append_text(entry, field, ast.literal_eval(quoted))
        if field is not None:
            entries.append(entry)
    return entries


def append_text(entry: dict, field: str, text: str) -> None:
    if field.startswith("msgstr"):
        index = int(field[7:-1]) if field.startswith("msgstr[") else None
        entry["msgstr"][index] = entry["msgstr"].get(index, "") + text
    elif field == "msgid_plural":
        entry["msgid_plural"] = entry.get("msgid_plural", "") + text
    else:
        entry[field] = (entry[field] or "") + text


def catalogue_translations(path: Path) -> dict:
    """What msgfmt puts in the .mo: translated, non-fuzzy entries, keyed as gettext keys them."""
    translations = {}
    for entry in catalogue_entries(path):
        if not entry["msgid"] or "fuzzy" in entry["flags"] or not all(entry["msgstr"].values()):
            continue
        key = entry["msgid"]
        if entry["msgctxt"] is not None:
            key = f"{entry['msgctxt']}\x04{key}"
        if "msgid_plural" in entry:
            translations.update({(key, n): text for n, text in entry["msgstr"].items()})
        else:
            translations[key] = entry["msgstr"][None]
    return translations
