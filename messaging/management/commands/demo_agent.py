"""`make run`: a demo agent for the back-office, and a few demo threads to answer.

Development settings only: the production settings refuse (DEBUG is off there). The agent's
password is new at each run; its authenticator key stays, so that a phone enrolled once keeps
working. Everything needed to sign in, second factor included, is printed.
"""

import base64
import time

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.crypto import get_random_string
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from identity import first_given_name
from messaging.models import Subject, Thread
from messaging.services import thread_create, thread_reply
from registry.models import Person

AGENT_LOGIN = "agent.demo"
DEMO_MEMBER_EMAIL = "adherent.demo@example.org"
DEMO_THREADS = [
    (
        Subject.PAYMENTS,
        "Bonjour, je n'ai pas reçu mon paiement de novembre. Pouvez-vous me dire où il en est ? "
        "Merci.",
    ),
    (
        Subject.AFFILIATION,
        "Bonjour, je commence un nouvel emploi le mois prochain : dois-je vous envoyer mon "
        "contrat ?",
    ),
    (Subject.OTHER, "Bonjour, à quelle heure vos bureaux de Gustavia ouvrent-ils le samedi ?"),
]


class Command(BaseCommand):
    help = "Create the demo agent and demo threads, and print how to sign in (development only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--code", action="store_true", help="print only the current second-factor code"
        )

    def handle(self, *args, code, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refused: the demo agent exists only with the development settings (DEBUG on)."
            )
        if code:
            device = TOTPDevice.objects.filter(user__login=AGENT_LOGIN, confirmed=True).first()
            if device is None:
                raise CommandError("No demo agent yet: run `make run` first.")
            self.stdout.write(_current_code(device))
            return
        password = get_random_string(16)
        with transaction.atomic():
            agent, device = _agent(password)
            threads = _demo_threads(agent)
        secret = base64.b32encode(device.bin_key).decode()
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "Back-office demo agent (development only):",
                    f"  login: {AGENT_LOGIN}   password: {password}",
                    f"  second factor (TOTP) secret: {secret}",
                    f"  code right now: {_current_code(device)} "
                    "(a new one every 30 s: `python manage.py demo_agent --code`)",
                    f"  then « Messagerie : échanges à traiter »: {threads} thread(s) waiting.",
                ]
            )
        )


def _agent(password: str) -> tuple[User, TOTPDevice]:
    agent = User.objects.filter(login=AGENT_LOGIN).first()
    if agent is None:
        agent = User.objects.create_user(
            AGENT_LOGIN,
            password,
            kind=User.Kind.AGENT,
            is_staff=True,
            first_name="Agent",
            last_name="Démo",
        )
    else:
        agent.set_password(password)
        agent.save()
    agent.groups.add(*Group.objects.filter(name="agent"))
    device = TOTPDevice.objects.filter(user=agent, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=agent, name="demo", confirmed=True)
    return agent, device


def _current_code(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def _demo_threads(agent: User) -> int:
    """A demo member (a registry person, no password: never logged in) who wrote to the fund."""
    if Thread.objects.exists():
        return Thread.objects.filter(status__in=["new", "in_progress"]).count()
    person = Person.objects.filter(accounts=None).order_by("-pk").first()
    if person is None:
        return 0
    member = User.objects.create_user(
        person.nir_digest,
        None,
        kind=User.Kind.MEMBER,
        identifier_type=User.IdentifierType.NIR,
        identifier_masked=person.nir_masked,
        person=person,
        first_name=first_given_name(person.prenoms).title(),
        last_name=person.nom,
        email=DEMO_MEMBER_EMAIL,
        email_confirmed=True,
    )
    for subject, body in DEMO_THREADS:
        thread_create(member=member, subject=subject, body=body, files=[])
        time.sleep(0.01)  # distinct times: the queue shows them in order of arrival
    answered = thread_create(
        member=member,
        subject=Subject.CONTRIBUTIONS,
        body="Bonjour, puis-je payer mes cotisations en plusieurs fois ?",
        files=[],
    )
    thread_reply(
        thread=answered,
        agent=agent,
        body="Bonjour, oui : appelez-nous pour convenir d'un échéancier. Bonne journée.",
        files=[],
    )
    return len(DEMO_THREADS)
