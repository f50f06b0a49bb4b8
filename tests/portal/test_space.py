"""The private space: what a member finds, what they may change, and who may see it."""

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import EmailChange, User
from accounts.tokens import email_change_token, email_change_url
from audit.models import AuditEvent
from delivery.models import EmailDelivery
from tests.accounts.conftest import post_login
from tests.accounts.factories import PERSONAL_PASSWORD, make_member

pytestmark = pytest.mark.django_db

SPACE_PAGES = [
    "portal:home",
    "portal:email_change",
    "portal:email_sent",
    "portal:mobile_change",
    "portal:password_change",
    "portal:logins",
]


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def member_client(client, member):
    assert post_login(client, member.identifier, PERSONAL_PASSWORD)["Location"] == "/mon-espace/"
    return client


@pytest.mark.parametrize("name", SPACE_PAGES)
def test_every_page_needs_a_member_login(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/compte/connexion/?next={url}"


def test_confirmation_link_and_posts_need_a_login_too(client, member):
    change = EmailChange.objects.create(
        user=member.user, new_email="x@example.org", expires_at=timezone.now() + timedelta(hours=1)
    )
    url = email_change_url(change).removeprefix("http://testserver")
    assert client.get(url)["Location"].startswith("/compte/connexion/?next=")
    for name in ["portal:sessions_end", "portal:mobile_change", "portal:password_change"]:
        assert client.post(reverse(name))["Location"].startswith("/compte/connexion/")


def test_an_agent_session_is_not_a_member_session(client):
    agent = User.objects.create_user("agent.dupuis", "agent password 123", kind=User.Kind.AGENT)
    client.force_login(agent, backend="accounts.backends.AgentBackend")
    assert client.get(reverse("portal:home"))["Location"].startswith("/compte/connexion/")


def test_home_greets_by_first_name_and_shows_the_file(member_client, member):
    page = text(member_client.get(reverse("portal:home")))
    assert "Bonjour Marie" in page
    assert "DUPONT" in page and "MARIE, LOUISE" in page
    assert "12/05/1985" in page
    assert "12 RUE DU PORT" in page and "97133 SAINT-BARTHELEMY" in page
    assert member.user.identifier_masked in page
    assert member.identifier not in page  # never the NIR itself
    assert "Pour les faire corriger, contactez la caisse" in page
    assert "05 90 27 60 60" in page
    assert "marie.dupont@example.org" in page and "(confirmée)" in page


def test_pages_of_the_space_are_never_cached(member_client):
    assert "no-store" in member_client.get(reverse("portal:home"))["Cache-Control"]


def test_forms_are_csrf_protected(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user, backend="accounts.backends.MemberBackend")
    for name in [
        "portal:mobile_change",
        "portal:email_change",
        "portal:password_change",
        "portal:sessions_end",
        "accounts:logout",
    ]:
        assert client.post(reverse(name), {}).status_code == 403, name
    page = client.get(reverse("portal:mobile_change")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


# --- Mobile ---------------------------------------------------------------------------------


def test_mobile_number_is_checked_and_stored(member_client, member):
    response = member_client.post(reverse("portal:mobile_change"), {"mobile": "0590 27 60 60"})
    assert "n'est pas celui d'un téléphone mobile" in text(response)
    assert 'value="0590 27 60 60"' in response.content.decode()
    response = member_client.post(reverse("portal:mobile_change"), {"mobile": "0690 12 34 56"})
    assert response["Location"] == "/mon-espace/"
    member.user.refresh_from_db()
    assert member.user.mobile == "+590690123456"
    assert "0690 12 34 56" in text(member_client.get(reverse("portal:home")))
    assert (
        'value="0690 12 34 56"'
        in member_client.get(reverse("portal:mobile_change")).content.decode()
    )


def test_mobile_number_can_be_removed(member_client, member):
    member_client.post(reverse("portal:mobile_change"), {"mobile": "0690 12 34 56"})
    member_client.post(reverse("portal:mobile_change"), {"mobile": ""})
    member.user.refresh_from_db()
    assert member.user.mobile == ""


# --- Password change --------------------------------------------------------------------------


def test_password_change_needs_the_current_password(member_client, member):
    response = member_client.post(
        reverse("portal:password_change"),
        {
            "current_password": "not my password",
            "new_password": "trois tortues sur la plage",
            "new_password_confirm": "trois tortues sur la plage",
        },
    )
    assert "Le mot de passe actuel est incorrect." in text(response)
    member.user.refresh_from_db()
    assert member.user.check_password(PERSONAL_PASSWORD)


def test_password_change_applies_the_rules(member_client):
    response = member_client.post(
        reverse("portal:password_change"),
        {
            "current_password": PERSONAL_PASSWORD,
            "new_password": "Dupont.Marie.1985",
            "new_password_confirm": "Dupont.Marie.1985",
        },
    )
    assert "Ce mot de passe reprend vos informations personnelles" in text(response)
    response = member_client.post(
        reverse("portal:password_change"),
        {
            "current_password": PERSONAL_PASSWORD,
            "new_password": PERSONAL_PASSWORD,
            "new_password_confirm": PERSONAL_PASSWORD,
        },
    )
    assert "doit être différent du mot de passe actuel" in text(response)


def test_password_change_is_audited_and_notified(member_client, member):
    member_client.post(
        reverse("portal:password_change"),
        {
            "current_password": PERSONAL_PASSWORD,
            "new_password": "trois tortues sur la plage",
            "new_password_confirm": "trois tortues sur la plage",
        },
    )
    event = AuditEvent.objects.get(type=AuditEvent.Type.PASSWORD_CHANGED)
    assert event.subject == member.user and event.data == {"how": "change"}
    assert EmailDelivery.objects.filter(kind=EmailDelivery.Kind.PASSWORD_CHANGED).count() == 1
    client = Client()
    assert (
        post_login(client, member.identifier, "trois tortues sur la plage")["Location"]
        == "/mon-espace/"
    )


# --- Email change -----------------------------------------------------------------------------


def request_change(client, address="marie.nouvelle@example.net", password=PERSONAL_PASSWORD):
    return client.post(
        reverse("portal:email_change"), {"new_email": address, "current_password": password}
    )


def confirm_path(change) -> str:
    return reverse(
        "portal:email_confirm", kwargs={"pk": change.pk, "token": email_change_token(change)}
    )


def test_email_change_sends_a_link_to_the_new_address(member_client, member):
    response = request_change(member_client)
    assert response["Location"] == reverse("portal:email_sent")
    assert "marie.nouvelle@example.net" in text(member_client.get(response["Location"]))
    delivery = EmailDelivery.objects.get(kind=EmailDelivery.Kind.EMAIL_CONFIRMATION)
    change = EmailChange.objects.get()
    assert delivery.to_address == "marie.nouvelle@example.net"
    # The outbox keeps the request's id, never the token.
    assert delivery.context == {"email_change_id": change.pk}
    member.user.refresh_from_db()
    assert member.user.email == "marie.dupont@example.org"  # unchanged until confirmed


def test_email_change_needs_the_password_and_a_valid_address(member_client):
    response = request_change(member_client, address="marie@", password="wrong")
    page = text(response)
    assert "Saisissez une adresse email valide" in page
    assert "Le mot de passe actuel est incorrect." in page
    assert not EmailChange.objects.exists()


def test_email_change_requests_are_limited_per_day(member_client):
    """Someone holding a session cannot use the portal to mail any address at will."""
    for n in range(3):
        assert request_change(member_client, address=f"essai{n}@example.net").status_code == 302
    page = text(request_change(member_client, address="encore@example.net"))
    assert "trop de changements d'adresse aujourd'hui" in page
    assert 'value="encore@example.net"' in page  # kept, next to the message
    sent = EmailDelivery.objects.filter(kind=EmailDelivery.Kind.EMAIL_CONFIRMATION)
    assert sorted(sent.values_list("to_address", flat=True)) == [
        "essai0@example.net",
        "essai1@example.net",
        "essai2@example.net",
    ]


def test_valid_link_asks_then_confirms_the_new_address(member_client, member):
    request_change(member_client)
    change = EmailChange.objects.get()
    page = text(member_client.get(confirm_path(change)))
    assert "marie.nouvelle@example.net" in page and "Confirmer cette adresse" in page
    member.user.refresh_from_db()
    assert member.user.email == "marie.dupont@example.org"  # opening the link changes nothing
    response = member_client.post(confirm_path(change))
    assert response["Location"] == "/mon-espace/"
    member.user.refresh_from_db()
    assert (member.user.email, member.user.email_confirmed) == ("marie.nouvelle@example.net", True)
    assert AuditEvent.objects.filter(
        type=AuditEvent.Type.EMAIL_CHANGED, subject=member.user
    ).exists()


def test_link_used_twice_says_so(member_client):
    request_change(member_client)
    change = EmailChange.objects.get()
    member_client.post(confirm_path(change))
    response = member_client.post(confirm_path(change))
    assert response.status_code == 410
    assert "Ce lien a déjà servi" in text(response)


def test_expired_link_says_so_and_changes_nothing(member_client, member):
    request_change(member_client)
    change = EmailChange.objects.get()
    EmailChange.objects.filter(pk=change.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = member_client.post(confirm_path(change))
    assert response.status_code == 410 and "Ce lien a expiré" in text(response)
    member.user.refresh_from_db()
    assert member.user.email == "marie.dupont@example.org"


def test_links_expire_after_24_hours(member_client):
    request_change(member_client)
    change = EmailChange.objects.get()
    assert change.expires_at - change.created_at == timedelta(hours=24)


def test_a_newer_request_replaces_the_older_link(member_client):
    request_change(member_client, address="first@example.net")
    request_change(member_client, address="second@example.net")
    first, second = EmailChange.objects.order_by("created_at")
    assert "Ce lien a expiré" in text(member_client.post(confirm_path(first)))
    assert member_client.post(confirm_path(second))["Location"] == "/mon-espace/"


def test_wrong_link_says_so(member_client):
    request_change(member_client)
    change = EmailChange.objects.get()
    tampered = reverse("portal:email_confirm", kwargs={"pk": change.pk, "token": "f" * 32})
    response = member_client.post(tampered)
    assert response.status_code == 404 and "Ce lien n'est pas valide" in text(response)
    missing = reverse("portal:email_confirm", kwargs={"pk": change.pk + 1, "token": "f" * 32})
    assert "Ce lien n'est pas valide" in text(member_client.get(missing))


def test_link_of_another_account_is_refused(member_client, member):
    other = make_member(temporary=None, password=PERSONAL_PASSWORD, email="other@example.org")
    other_client = Client()
    post_login(other_client, other.identifier, PERSONAL_PASSWORD)
    request_change(other_client, address="attacker@example.net")
    change = EmailChange.objects.get(user=other.user)
    response = member_client.post(confirm_path(change))
    assert response.status_code == 403 and "Ce lien concerne un autre compte" in text(response)
    member.user.refresh_from_db()
    other.user.refresh_from_db()
    assert member.user.email == "marie.dupont@example.org"
    assert other.user.email == "other@example.org"


def test_account_created_by_post_confirms_its_email_by_a_link(client):
    member = make_member(temporary="post", email="postal@example.org", email_confirmed=False)
    post_login(client, member.identifier, member.temporary_password)
    client.post(
        reverse("accounts:password_choose"),
        {
            "new_password": "des mangues bien mûres",
            "new_password_confirm": "des mangues bien mûres",
        },
    )
    home = text(client.get(reverse("portal:home")))
    assert "Votre adresse email n'est pas encore confirmée" in home
    form = client.get(reverse("portal:email_change")).content.decode()
    assert 'value="postal@example.org"' in form
    request_change(client, address="postal@example.org", password="des mangues bien mûres")
    change = EmailChange.objects.get()
    client.post(confirm_path(change))
    member.user.refresh_from_db()
    assert member.user.email_confirmed
    assert "n'est pas encore confirmée" not in text(client.get(reverse("portal:home")))


@pytest.mark.django_db(transaction=True)
def test_confirmation_link_arrives_in_the_new_mailbox_and_works(client, smtp_server):
    from tests.delivery.worker import run_worker

    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    post_login(client, member.identifier, PERSONAL_PASSWORD)
    request_change(client)
    run_worker()
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "marie.nouvelle@example.net"
    link = re.search(
        r"http://testserver(/mon-espace/adresse-email/confirmer/\S+/)", smtp_server.text_of(message)
    )
    assert client.post(link.group(1))["Location"] == "/mon-espace/"
    member.user.refresh_from_db()
    assert member.user.email == "marie.nouvelle@example.net" and member.user.email_confirmed
    # Nothing secret waits in the outbox: the link is rebuilt by the task from the request's id.
    confirmation = EmailDelivery.objects.get(kind=EmailDelivery.Kind.EMAIL_CONFIRMATION)
    assert confirmation.context == {"email_change_id": EmailChange.objects.get().pk}
    # The address it replaced, confirmed, is told (OWASP ASVS 2.2.3).
    notice = EmailDelivery.objects.get(kind=EmailDelivery.Kind.EMAIL_CHANGED)
    assert notice.to_address == "marie.dupont@example.org"
