"""`manage.py agent_second_factor_reset LOGIN`: an agent enrols a new authenticator app.

What the back-office's « Réinitialiser le second facteur » does, for when no supervisor can
sign in to do it: the first superuser whose enrolment window passed before their first sign-in,
or the last supervisor whose phone is lost. The reset opens the window again
(AGENT_ENROLMENT_DAYS) and is audited.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from backoffice.services import agent_totp_reset


class Command(BaseCommand):
    help = "Remove an agent's authenticator: they enrol a new one at their next sign-in."

    def add_arguments(self, parser):
        parser.add_argument("login", help="the agent's login")

    def handle(self, *args, login, **options):
        agent = User.objects.filter(login=login, kind=User.Kind.AGENT).first()
        if agent is None:
            raise CommandError(f"No agent with the login {login!r}.")
        removed = agent_totp_reset(agent=agent, actor=None, origin="command")
        self.stdout.write(
            f"{login}: {removed} authenticator(s) removed; the agent enrols a new one at their "
            f"next sign-in, within {settings.AGENT_ENROLMENT_DAYS} days."
        )
