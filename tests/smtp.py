"""A real SMTP server for the tests that check email: aiosmtpd on a free local port.

Use the `smtp_server` fixture: Django's SMTP backend is pointed at it, every message it accepts
is in `smtp_server.messages` (parsed email.message.EmailMessage), and `smtp_server.refuse = True`
makes it refuse every recipient until set back to False: with 451 (try again later), or with
the reply set in `smtp_server.refusal` (say « 550 5.1.1 No such user », a permanent refusal).
`smtp_server.refuse_at` says at which command it refuses: "RCPT" (the default), "MAIL" (the
sender) or "DATA" (the message, once sent).
"""

import email
import email.policy
import logging
import socket
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

# aiosmtpd logs every connection at INFO from its own thread, also after a test has ended and
# its captured output is closed (« Logging error »): only its warnings are of interest here.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mailbox:
    messages: list = field(default_factory=list)
    refuse: bool = False
    refusal: str = "451 4.3.0 Mailbox temporarily unavailable"
    refusals: int = 0
    refuse_at: str = "RCPT"

    def _refuses(self, command: str) -> bool:
        if self.refuse and self.refuse_at == command:
            self.refusals += 1
            return True
        return False

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self._refuses("MAIL"):
            return self.refusal
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self._refuses("RCPT"):
            return self.refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self._refuses("DATA"):
            return self.refusal
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list:
        """The messages once at least `count` have arrived (the worker may send a bit later)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{len(self.messages)} message(s) after {timeout}s"
        return self.messages

    @staticmethod
    def text_of(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html_of(message) -> str:
        part = message.get_body(preferencelist=("html",))
        return part.get_content() if part else ""


class SMTPServer:
    def __init__(self):
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self.mailbox

    def __exit__(self, *exc):
        # The email task keeps its SMTP connection between emails: close it with its server,
        # so that the next test's server is not greeted by a connection to this one.
        from delivery.sender import smtp_close

        smtp_close()
        self.controller.stop()
