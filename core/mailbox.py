"""The development mailbox: every email is written to var/mailbox/ as one .eml file.

It exists so that a newcomer running `make run` can read the temporary password and log in
without an SMTP server (docs/product.md §9). It is never used outside config.settings.dev.
"""

import email
import email.policy
import uuid
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class MailboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(message.message().as_bytes())
        return len(email_messages)


def read_mailbox(limit: int = 50) -> list[dict]:
    """The newest messages first, as dicts with the headers and the plain-text body."""
    folder = Path(settings.EMAIL_FILE_PATH)
    if not folder.exists():
        return []
    messages = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        messages.append(
            {
                "id": path.stem,
                "to": parsed["To"],
                "subject": parsed["Subject"],
                "date": parsed["Date"],
                "body": body.get_content() if body else "",
            }
        )
    return messages
