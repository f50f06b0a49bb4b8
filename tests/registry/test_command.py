"""`manage.py import_registry`: what an operator sees, and the exit status a script sees."""

import io

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from registry.models import Company, Person, RegistryImport
from tests.registry import factories

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_an_import_prints_its_rejected_lines_and_its_summary(tmp_path):
    rows = [factories.person(1), factories.person(2, profils="retraite")]
    path = factories.extract(tmp_path / "persons.csv", rows)
    out = io.StringIO()

    call_command("import_registry", str(path), stdout=out, stderr=io.StringIO())

    text = out.getvalue()
    assert "Ligne 3 [profils] : Profil inconnu : « retraite »." in text
    assert "Import de l'extrait des personnes « persons.csv » terminé en" in text
    assert "Créés : 1 ; mis à jour : 0 ; inchangés : 0 ; lignes rejetées : 1." in text
    assert Person.objects.count() == 1


def test_a_second_run_says_nothing_changed(tmp_path):
    path = factories.extract(tmp_path / "persons.csv", [factories.person(1)])
    call_command("import_registry", str(path), stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_registry", str(path), stdout=out)
    assert "Rien n'a changé : le registre était déjà à jour." in out.getvalue()


def test_companies_are_imported_with_their_option(tmp_path):
    path = factories.extract(tmp_path / "c.csv", [factories.company(1)], kind="companies")
    out = io.StringIO()
    call_command("import_registry", companies=str(path), stdout=out)
    assert "Import de l'extrait des entreprises « c.csv »" in out.getvalue()
    assert Company.objects.count() == 1


@pytest.fixture
def keep_connection(monkeypatch):
    """run_from_argv closes the connections when done; the test's transaction needs its own."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def test_a_refused_file_exits_with_an_error_and_its_reason(tmp_path, capsys, keep_connection):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "import_registry", str(path)])

    assert exit_info.value.code == 1
    assert (
        "Fichier refusé : Le fichier est vide. Le registre n'a pas changé."
        in capsys.readouterr().err
    )
    assert RegistryImport.objects.get().status == RegistryImport.Status.REFUSED


def test_a_successful_import_exits_with_status_zero(tmp_path, capsys, keep_connection):
    path = factories.extract(tmp_path / "persons.csv", [factories.person(1)])
    execute_from_command_line(["manage.py", "import_registry", str(path)])  # no SystemExit
    assert "Créés : 1 ;" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.csv"], "Fichier introuvable : missing.csv"),
        ([], "Indiquez un fichier"),
        (["a.csv", "--companies", "b.csv"], "un seul à la fois"),
        (["{path}", "--encoding", "klingon"], "Encodage inconnu : klingon."),
        (["{path}", "--encoding", "utf-16"], "Encodage non pris en charge : utf-16."),
        (["{path}", "--encoding", "rot13"], "Encodage non pris en charge : rot13."),
        (["{path}", "--workers", "-1"], "--workers"),
    ],
)
def test_bad_options_are_refused_before_anything_is_read(tmp_path, arguments, message):
    path = factories.extract(tmp_path / "persons.csv", [factories.person(1)])
    arguments = [a.replace("{path}", str(path)) for a in arguments]
    with pytest.raises(CommandError, match=message):
        call_command("import_registry", *arguments)
    assert not RegistryImport.objects.exists()


def test_an_unreadable_file_is_refused(tmp_path, monkeypatch):
    path = factories.extract(tmp_path / "persons.csv", [factories.person(1)])
    # The tests may run as root, whom file permissions do not stop: say the file is locked.
    monkeypatch.setattr("registry.command.os.access", lambda *a: False)
    with pytest.raises(CommandError, match="Fichier illisible"):
        call_command("import_registry", str(path))


def test_the_progress_bar_is_drawn_on_a_terminal_only(tmp_path):
    path = factories.extract(tmp_path / "persons.csv", [factories.person(1)])
    terminal, pipe = Terminal(), io.StringIO()

    call_command("import_registry", str(path), stdout=io.StringIO(), stderr=terminal)
    Person.objects.all().delete()
    call_command("import_registry", str(path), stdout=io.StringIO(), stderr=pipe)

    assert "[##############################] 100%" in terminal.getvalue()
    assert pipe.getvalue() == ""
