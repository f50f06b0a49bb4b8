"""Print where the product answers and whom to try it as (the end of `make run`)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

IDENTITIES_FILE = Path(settings.BASE_DIR) / "var" / "demo-identities.txt"
# Written by `manage.py demo_agent` at each `make run`: how to sign in to the back-office.
AGENT_FILE = Path(settings.BASE_DIR) / "var" / "demo-agent.txt"


class Command(BaseCommand):
    help = "Print the address of the running product and the demo identities to try."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url, **options):
        line = "=" * 72
        self.stdout.write(line)
        self.stdout.write(f"Mon espace privé is running: {url}")
        if getattr(settings, "DEV_MAILBOX", False):
            self.stdout.write(f"Emails sent by the product land in: {url}dev/mailbox/")
        self.stdout.write(f"Back-office for agents: {url}{settings.ADMIN_URL}")
        if AGENT_FILE.exists():
            self.stdout.write(AGENT_FILE.read_text(encoding="utf-8").rstrip())
        if IDENTITIES_FILE.exists():
            self.stdout.write("")
            self.stdout.write(IDENTITIES_FILE.read_text(encoding="utf-8").rstrip())
        self.stdout.write("Press Ctrl-C to stop the web server and the workers.")
        self.stdout.write(line)
