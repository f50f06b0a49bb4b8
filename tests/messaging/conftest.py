"""Fixtures of Ma messagerie's tests: members, agents, and files as people send them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from reportlab.pdfgen import canvas

from tests.accounts.conftest import member, new_member  # noqa: F401
from tests.accounts.factories import PERSONAL_PASSWORD, make_member
from tests.backoffice.conftest import agent, agent_client, sign_in, supervisor  # noqa: F401


@pytest.fixture(autouse=True)
def _attachments_dir(settings, tmp_path):
    """Each test's files in its own directory, outside the project."""
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments"), "base_url": None},
        },
    }
    return tmp_path / "attachments"


@pytest.fixture
def member_client(member):  # noqa: F811  (the fixture imported above)
    """The member's own browser: a test may hold an agent's (agent_client) beside it."""
    client = Client()
    client.force_login(member.user)
    return client


@pytest.fixture
def other_member(db):
    return make_member(temporary=None, password=PERSONAL_PASSWORD)


def pdf_bytes(pages: int = 1) -> bytes:
    """A real PDF, as reportlab writes it."""
    out = io.BytesIO()
    c = canvas.Canvas(out)
    for number in range(pages):
        c.drawString(100, 750, f"Relevé d'identité bancaire, page {number + 1}")
        c.showPage()
    c.save()
    return out.getvalue()


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (11, 94, 90)).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (181, 69, 27)).save(out, format="JPEG")
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)
