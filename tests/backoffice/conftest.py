"""Fixtures of the back-office tests: agents signed in with their second factor."""

import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.backoffice import factories


def current_code(device: TOTPDevice, *, offset: int = 0) -> str:
    """The code the agent's app shows now (offset in steps of 30 s)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset)
    return f"{code:06d}"


def sign_in(client, agent, password=factories.AGENT_PASSWORD):
    """The two steps: password, then the TOTP code. Returns the last response."""
    response = client.post("/agents/login/", {"username": agent.login, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    device = TOTPDevice.objects.get(user=agent, confirmed=True)
    # A code is accepted once (replay protection): wait for a fresh step if the last one was used.
    if device.last_t >= int(time.time()) // device.step:
        time.sleep(device.step - time.time() % device.step + 0.1)
    return client.post("/agents/verification/", {"code": current_code(device)})


@pytest.fixture
def agent(db):
    return factories.agent()


@pytest.fixture
def supervisor(db):
    return factories.agent(login="sup.martin", groups=("agent", "superviseur"))


@pytest.fixture
def agent_client(client, agent):
    response = sign_in(client, agent)
    assert response.status_code == 302
    return client


@pytest.fixture
def supervisor_client(client, supervisor):
    response = sign_in(client, supervisor)
    assert response.status_code == 302
    return client
