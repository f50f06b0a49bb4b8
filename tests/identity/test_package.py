"""identity/ stays pure Python, and every message it shows can be translated."""

import ast
import pathlib

import identity

PACKAGE = pathlib.Path(identity.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))


def _calls(function_name):
    for module in MODULES:
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == function_name
            ):
                yield module.name, node


def test_identity_does_not_import_django():
    for module in MODULES:
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] == "django" for name in names), module.name


def test_every_error_message_is_a_literal_marked_for_translation():
    # makemessages only extracts string literals; the Django layer calls gettext(message).
    for module_name, call in _calls("IdentityError"):
        code, message = call.args
        assert isinstance(code, ast.Constant), module_name
        assert isinstance(message, ast.Call), (module_name, code.value)
        assert isinstance(message.func, ast.Name) and message.func.id == "_", code.value
        assert isinstance(message.args[0], ast.Constant), code.value


def test_messages_have_no_placeholder_and_end_like_sentences():
    messages = [call.args[0].value for _module, call in _calls("_")]

    assert len(messages) > 30
    for message in messages:
        assert "%" not in message and "{" not in message, message
        assert message[0].isupper() and message.endswith("."), message


def test_the_public_api_is_exported():
    for name in identity.__all__:
        assert hasattr(identity, name), name
