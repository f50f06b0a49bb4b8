"""What a member may attach: PDF, JPEG or PNG, recognised from the content, never the name.

`filetype` reads the file's signature (its first bytes); the whole file is then opened with the
library that reads its kind (pypdf, Pillow), so that a truncated or corrupt file is refused
before anything is stored, with a message that says what to do (docs/product.md §13).
"""

import io
import re
import unicodedata
from dataclasses import dataclass

import filetype
from django.utils.translation import gettext_lazy as _
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PdfReadError

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
# Pillow refuses images above this many pixels (a « decompression bomb »): a scanned A4 page
# at 600 dpi is 35 million.
MAX_PIXELS = 60_000_000


class AttachmentError(ValueError):
    """A file that cannot be kept, with the message to show next to the field."""


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


def attachment_check(upload) -> CheckedFile:
    """Read an uploaded file and return it checked; raise AttachmentError otherwise."""
    name = safe_name(upload.name or "document")
    if upload.size > MAX_BYTES:
        raise AttachmentError(
            _(
                "« %(name)s » dépasse 10 Mo. Réduisez-le (par exemple en le scannant en noir et "
                "blanc) ou envoyez-le en plusieurs parties."
            )
            % {"name": name}
        )
    content = upload.read()
    kind = filetype.guess(content[:8192])
    content_type = kind.mime if kind is not None else ""
    if content_type not in EXTENSIONS:
        raise AttachmentError(
            _(
                "« %(name)s » n'est ni un PDF, ni une image JPEG ou PNG. Enregistrez votre "
                "document dans l'un de ces formats et envoyez-le de nouveau."
            )
            % {"name": name}
        )
    readable = _pdf_readable if content_type == "application/pdf" else _image_readable
    if not readable(content, content_type):
        raise AttachmentError(
            _(
                "« %(name)s » est abîmé ou incomplet et ne peut pas être ouvert. Vérifiez qu'il "
                "s'ouvre sur votre appareil, puis envoyez-le de nouveau."
            )
            % {"name": name}
        )
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return CheckedFile(
        name=f"{stem}.{EXTENSIONS[content_type]}", content_type=content_type, content=content
    )


def _pdf_readable(content: bytes, content_type: str) -> bool:
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            return False  # the agent could not open it either
        return len(reader.pages) > 0 and reader.pages[0].mediabox is not None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError):
        return False


def _image_readable(content: bytes, content_type: str) -> bool:
    expected = "JPEG" if content_type == "image/jpeg" else "PNG"
    try:
        with Image.open(io.BytesIO(content), formats=[expected]) as image:
            if image.width * image.height > MAX_PIXELS:
                return False
            image.load()  # decodes every pixel: a truncated file raises here
        return True
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return False


def safe_name(name: str) -> str:
    """The file's name as shown and sent back: its last part, plain characters, 100 at most."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"[\x00-\x1f\x7f\"<>:|?*;]", "", name).strip(" .")
    return name[-100:] or "document"
