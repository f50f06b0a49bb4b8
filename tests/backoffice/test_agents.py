"""Agents sign in with a password and a TOTP code; members never reach the back-office."""

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.models import AuditEvent
from backoffice import services
from tests.backoffice import factories
from tests.backoffice.conftest import current_code, sign_in

pytestmark = pytest.mark.django_db


def test_password_alone_does_not_open_the_back_office(client, agent):
    response = client.post(
        "/agents/login/", {"username": agent.login, "password": factories.AGENT_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/agents/verification/"
    # Not logged in yet: every admin page sends back to the sign-in.
    index = client.get("/agents/")
    assert index.status_code == 302
    assert index["Location"].startswith("/agents/login/")
    assert "_auth_user_id" not in client.session


def test_wrong_totp_code_is_refused_and_audited(client, agent):
    client.post("/agents/login/", {"username": agent.login, "password": factories.AGENT_PASSWORD})
    device = TOTPDevice.objects.get(user=agent)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post("/agents/verification/", {"code": wrong})
    assert response.status_code == 200
    assert "Ce code n&#x27;est pas valable" in response.content.decode()
    assert client.get("/agents/").status_code == 302
    assert AuditEvent.objects.filter(
        type=AuditEvent.Type.LOGIN_FAILED, subject=agent, data__reason="second_factor"
    ).exists()


def test_agent_with_password_and_code_opens_the_back_office(client, agent):
    response = sign_in(client, agent)
    assert response["Location"] == "/agents/"
    page = client.get("/agents/")
    assert page.status_code == 200
    assert "Tableau de bord" in page.content.decode()
    assert AuditEvent.objects.filter(type=AuditEvent.Type.LOGIN_SUCCEEDED, actor=agent).exists()


def test_the_second_step_expires(client, agent, monkeypatch):
    client.post("/agents/login/", {"username": agent.login, "password": factories.AGENT_PASSWORD})
    import backoffice.views

    monkeypatch.setattr(backoffice.views, "PENDING_SECONDS", -1)
    device = TOTPDevice.objects.get(user=agent)
    response = client.post("/agents/verification/", {"code": current_code(device)})
    assert response["Location"] == "/agents/login/"


def test_wrong_password_gives_one_neutral_message(client, agent):
    response = client.post(
        "/agents/login/", {"username": agent.login, "password": "pas-le-bon-mot-de-passe"}
    )
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in response.content.decode()


def test_first_sign_in_enrols_an_authenticator_by_qr_code(client):
    agent = factories.agent(login="nouvel.agent", totp=False)
    response = client.post(
        "/agents/login/", {"username": agent.login, "password": factories.AGENT_PASSWORD}
    )
    assert response["Location"] == "/agents/enrolement/"
    page = client.get("/agents/enrolement/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    # The key is also written out for manual entry (base32, in groups of four).
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert secret[:4] + " " + secret[4:8] in page
    response = client.post("/agents/enrolement/", {"code": current_code(device)})
    assert response["Location"] == "/agents/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/agents/").status_code == 200


def test_enrolment_closes_some_days_after_the_account_was_made(client, settings):
    settings.AGENT_ENROLMENT_DAYS = 7
    late = factories.agent(login="agent.tardif", totp=False)
    User.objects.filter(pk=late.pk).update(date_joined=timezone.now() - timedelta(days=8))
    response = client.post(
        "/agents/login/", {"username": late.login, "password": factories.AGENT_PASSWORD}
    )
    assert response["Location"] == "/agents/enrolement/"
    page = client.get("/agents/enrolement/")
    assert page.status_code == 403
    text = html.unescape(page.content.decode())
    assert "Délai d'activation dépassé" in text
    assert "dans les 7 jours qui suivent la création de votre compte" in text
    assert "Réinitialiser le second facteur" in text
    # No key was shown, none was made, and the pending sign-in is over.
    assert not TOTPDevice.objects.filter(user=late).exists()
    assert "data:image/svg+xml" not in text
    assert client.get("/agents/enrolement/")["Location"] == "/agents/login/"
    assert AuditEvent.objects.filter(
        type=AuditEvent.Type.LOGIN_FAILED, subject=late, data__reason="enrolment_expired"
    ).exists()


def test_a_supervisor_reset_opens_the_enrolment_again(supervisor_client, settings):
    settings.AGENT_ENROLMENT_DAYS = 7
    client = Client()  # the agent's own browser
    late = factories.agent(login="agent.tardif", totp=False)
    User.objects.filter(pk=late.pk).update(date_joined=timezone.now() - timedelta(days=30))
    response = supervisor_client.post(
        "/agents/backoffice/agentaccount/",
        {"action": "reset_second_factor", "_selected_action": [late.pk]},
    )
    assert response.status_code == 302
    client.post("/agents/login/", {"username": late.login, "password": factories.AGENT_PASSWORD})
    page = client.get("/agents/enrolement/")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    device = TOTPDevice.objects.get(user=late, confirmed=False)
    response = client.post("/agents/enrolement/", {"code": current_code(device)})
    assert response["Location"] == "/agents/"


def test_a_reset_older_than_the_window_does_not_reopen_it(client, supervisor, settings):
    settings.AGENT_ENROLMENT_DAYS = 7
    late = factories.agent(login="agent.tardif", totp=False)
    User.objects.filter(pk=late.pk).update(date_joined=timezone.now() - timedelta(days=30))
    services.agent_totp_reset(agent=late, actor=supervisor)
    AuditEvent.objects.filter(subject=late, data__action="totp_reset").update(
        at=timezone.now() - timedelta(days=8)
    )
    client.post("/agents/login/", {"username": late.login, "password": factories.AGENT_PASSWORD})
    assert client.get("/agents/enrolement/").status_code == 403


def test_a_member_cannot_open_the_admin(client):
    member = factories.member()
    member.set_password("mot-de-passe-adherent-2026")
    member.save()
    # Even with the right password (and the digest as login), the agent form refuses members.
    response = client.post(
        "/agents/login/", {"username": member.login, "password": "mot-de-passe-adherent-2026"}
    )
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in response.content.decode()
    # And a member's logged-in session (as the private space makes it) is no way in either.
    client.force_login(member, backend="accounts.backends.MemberBackend")
    assert client.get("/agents/").status_code == 302
    assert client.get("/agents/tableau-de-bord/").status_code == 302


def test_admin_site_refuses_a_verified_member_session(rf, db):
    """has_permission itself: a member is refused even if a device had verified the session."""
    from django.contrib import admin

    member = factories.member()
    request = rf.get("/agents/")
    request.user = member
    member.is_verified = lambda: True
    assert admin.site.has_permission(request) is False


def test_agent_without_supervisor_group_cannot_manage_agents(agent_client):
    assert agent_client.get("/agents/backoffice/agentaccount/").status_code == 403
    assert agent_client.get("/agents/backoffice/agentaccount/add/").status_code == 403
    assert "agentaccount" not in agent_client.get("/agents/").content.decode()


def test_supervisor_creates_an_agent(supervisor_client):
    from django.contrib.auth.models import Group

    agent_group = Group.objects.get(name="agent")
    response = supervisor_client.post(
        "/agents/backoffice/agentaccount/add/",
        {
            "login": "agent.questel",
            "first_name": "Ana",
            "last_name": "Questel",
            "email": "ana@cps.example",
            "groups": [agent_group.pk],
            "is_active": "on",
            "new_password": "une-phrase-de-passe-solide",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    created = User.objects.get(login="agent.questel")
    assert created.kind == User.Kind.AGENT and created.is_staff and not created.is_superuser
    assert list(created.groups.values_list("name", flat=True)) == ["agent"]
    assert created.check_password("une-phrase-de-passe-solide")
    assert created.must_change_password  # the supervisor's choice serves once
    assert AuditEvent.objects.filter(
        type=AuditEvent.Type.AGENT_ACTION, subject=created, data__action="add"
    ).exists()


def test_an_agent_replaces_the_password_a_supervisor_chose_before_anything_else(client):
    agent = factories.agent(login="agent.neuf", must_change_password=True)
    response = sign_in(client, agent)
    assert client.get("/agents/")["Location"] == "/agents/password_change/"
    assert client.get("/agents/backoffice/letter/")["Location"] == "/agents/password_change/"
    page = client.get("/agents/password_change/")
    assert page.status_code == 200
    assert "choisissez le vôtre pour continuer" in html.unescape(page.content.decode())
    # The password validators apply, as everywhere.
    refused = client.post(
        "/agents/password_change/",
        {
            "old_password": factories.AGENT_PASSWORD,
            "new_password1": "court",
            "new_password2": "court",
        },
    )
    assert refused.status_code == 200
    agent.refresh_from_db()
    assert agent.must_change_password
    # The password received, typed again as the new one, is refused.
    same = client.post(
        "/agents/password_change/",
        {
            "old_password": factories.AGENT_PASSWORD,
            "new_password1": factories.AGENT_PASSWORD,
            "new_password2": factories.AGENT_PASSWORD,
        },
    )
    assert same.status_code == 200
    assert "doit être différent du mot de passe actuel" in same.content.decode()
    agent.refresh_from_db()
    assert agent.must_change_password
    chosen = "un autre mot de passe bien à moi"
    response = client.post(
        "/agents/password_change/",
        {
            "old_password": factories.AGENT_PASSWORD,
            "new_password1": chosen,
            "new_password2": chosen,
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert not agent.must_change_password and agent.check_password(chosen)
    assert client.get("/agents/").status_code == 200  # still signed in, second factor included
    assert AuditEvent.objects.filter(
        type=AuditEvent.Type.PASSWORD_CHANGED, subject=agent, data__area="back-office"
    ).exists()


def test_before_choosing_their_password_an_agent_reaches_no_other_page_nor_action(client):
    supervisor = factories.agent(
        login="superviseur.neuf", groups=("agent", "superviseur"), must_change_password=True
    )
    other = factories.agent(login="agent.autre")
    sign_in(client, supervisor)
    for path in (
        "/agents/",
        "/agents/tableau-de-bord/",
        "/agents/audit/auditevent/export.csv",
        "/agents/registry/registryimport/importer/",
        f"/agents/backoffice/agentaccount/{other.pk}/change/",
    ):
        assert client.get(path)["Location"] == "/agents/password_change/", path
    response = client.post(
        "/agents/backoffice/agentaccount/",
        {"action": "reset_second_factor", "_selected_action": [other.pk]},
    )
    assert response["Location"] == "/agents/password_change/"
    assert TOTPDevice.objects.filter(user=other).exists()  # the action did not run
    assert not AuditEvent.objects.filter(subject=other, data__action="totp_reset").exists()
    assert client.post("/agents/logout/").status_code in (200, 302)  # logging out works
    assert client.get("/agents/")["Location"].startswith("/agents/login/")


def test_a_supervisor_setting_a_new_password_makes_the_agent_choose_again(supervisor_client, agent):
    from django.contrib.auth.models import Group

    response = supervisor_client.post(
        f"/agents/backoffice/agentaccount/{agent.pk}/change/",
        {
            "login": agent.login,
            "first_name": agent.first_name,
            "last_name": agent.last_name,
            "email": "lise@cps.example",
            "groups": [Group.objects.get(name="agent").pk],
            "is_active": "on",
            "new_password": "un mot de passe provisoire",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    agent.refresh_from_db()
    assert agent.must_change_password and agent.check_password("un mot de passe provisoire")


def test_supervisor_resets_a_lost_second_factor(supervisor_client, agent):
    response = supervisor_client.post(
        "/agents/backoffice/agentaccount/",
        {"action": "reset_second_factor", "_selected_action": [agent.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=agent).exists()


def test_agent_locked_out_after_failed_passwords_is_unblocked_by_a_supervisor(client, supervisor):
    from django.test import Client

    from accounts.lockout import agent_key
    from accounts.models import LoginCounter

    locked = factories.agent(login="agent.distrait")
    for _ in range(6):
        client.post(
            "/agents/login/", {"username": locked.login, "password": "mauvais-mot-de-passe"}
        )
    assert LoginCounter.objects.get(key=agent_key(locked.login)).locked_until is not None
    refused = client.post(
        "/agents/login/", {"username": locked.login, "password": factories.AGENT_PASSWORD}
    )
    assert refused.status_code != 302  # the right password no longer opens the second step

    supervisor_client = Client(REMOTE_ADDR="203.0.113.7")  # from another desk
    sign_in(supervisor_client, supervisor)
    response = supervisor_client.post(
        "/agents/backoffice/agentaccount/",
        {"action": "unblock_agents", "_selected_action": [locked.pk]},
    )
    assert response.status_code == 302, response.content.decode()[-1500:]
    assert not LoginCounter.objects.filter(key=agent_key(locked.login), failures__gt=0).exists()
    assert AuditEvent.objects.filter(type=AuditEvent.Type.ACCOUNT_UNLOCKED, subject=locked).exists()
    again = Client().post(
        "/agents/login/", {"username": locked.login, "password": factories.AGENT_PASSWORD}
    )
    assert again.status_code == 302
    assert User.objects.get(pk=locked.pk).is_active


def test_the_command_reopens_the_enrolment_of_a_first_superuser(client, settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    settings.AGENT_ENROLMENT_DAYS = 7
    first = factories.agent(login="admin.caisse", totp=False, is_superuser=True)
    User.objects.filter(pk=first.pk).update(date_joined=timezone.now() - timedelta(days=30))
    client.post("/agents/login/", {"username": first.login, "password": factories.AGENT_PASSWORD})
    assert client.get("/agents/enrolement/").status_code == 403  # no supervisor to ask

    out = StringIO()
    call_command("agent_second_factor_reset", "admin.caisse", stdout=out)
    assert "enrols a new one at their next sign-in, within 7 days" in out.getvalue()
    assert AuditEvent.objects.filter(
        subject=first, actor=None, data__action="totp_reset", data__origin="command"
    ).exists()
    client.post("/agents/login/", {"username": first.login, "password": factories.AGENT_PASSWORD})
    assert client.get("/agents/enrolement/").status_code == 200
    with pytest.raises(CommandError, match="No agent with the login 'personne'"):
        call_command("agent_second_factor_reset", "personne")


def test_guesses_of_the_old_password_count_towards_the_agent_s_lock(client):
    from accounts.lockout import agent_key
    from accounts.models import LoginCounter

    agent = factories.agent(login="agent.devine", must_change_password=True)
    sign_in(client, agent)
    chosen = "un autre mot de passe bien à moi"
    for _ in range(5):
        wrong = client.post(
            "/agents/password_change/",
            {"old_password": "pas le bon", "new_password1": chosen, "new_password2": chosen},
        )
        assert wrong.status_code == 200
    assert LoginCounter.objects.filter(key=agent_key(agent.login), failures=5).exists()
    # Locked now: even the right old password is refused, and nothing changed.
    locked = client.post(
        "/agents/password_change/",
        {
            "old_password": factories.AGENT_PASSWORD,
            "new_password1": chosen,
            "new_password2": chosen,
        },
    )
    assert locked.status_code == 200
    agent.refresh_from_db()
    assert agent.must_change_password and agent.check_password(factories.AGENT_PASSWORD)


def test_a_supervisor_cannot_reset_the_second_factor_of_a_superuser(supervisor_client):
    superuser = factories.agent(login="admin.caisse", is_superuser=True)
    response = supervisor_client.post(
        "/agents/backoffice/agentaccount/",
        {"action": "reset_second_factor", "_selected_action": [superuser.pk]},
        follow=True,
    )
    assert "ne sont modifiés que par un administrateur" in html.unescape(response.content.decode())
    assert TOTPDevice.objects.filter(user=superuser, confirmed=True).exists()
    assert not AuditEvent.objects.filter(subject=superuser, data__action="totp_reset").exists()


def test_a_stranger_who_types_an_agent_s_name_does_not_lock_the_agent_out(client):
    """Agent names are easy to guess: a stranger's wrong passwords lock that name out of
    unknown browsers only; the agent's own browser keeps signing in (accounts.lockout)."""
    from django.test import Client

    from accounts.models import LoginCounter

    agent = factories.agent(login="agent.connu")
    own_browser = Client(REMOTE_ADDR="192.0.2.20")
    sign_in(own_browser, agent)
    own_browser.post("/agents/logout/")
    stranger = Client(REMOTE_ADDR="198.51.100.66")
    for _ in range(25):
        stranger.post("/agents/login/", {"username": agent.login, "password": "une devinette"})
    assert LoginCounter.objects.filter(locked_until__isnull=False).exists()
    refused = stranger.post(
        "/agents/login/", {"username": agent.login, "password": factories.AGENT_PASSWORD}
    )
    assert refused.status_code == 200
    response = own_browser.post(
        "/agents/login/", {"username": agent.login, "password": factories.AGENT_PASSWORD}
    )
    assert response.status_code == 302
    locked = AuditEvent.objects.filter(type=AuditEvent.Type.ACCOUNT_LOCKED, subject=agent)
    assert locked.exists()
