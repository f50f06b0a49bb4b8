"""The pages that list threads cost the same number of queries for 2 threads or 30: an N+1
shows up here as a failing test (the bench measures the time: bench/messaging_queue.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from messaging import services
from tests.accounts.factories import PERSONAL_PASSWORD, make_member

from .conftest import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    client.get(url)  # first: the session's and the permissions' caches fill
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def threads_for(count: int, agent):
    from messaging.attachments import attachment_check

    for n in range(count):
        member = make_member(temporary=None, password=PERSONAL_PASSWORD)
        thread = services.thread_create(
            member=member.user,
            subject="autre",
            body=f"Question {n}",
            files=[attachment_check(upload("a.pdf", pdf_bytes()))],
        )
        if n % 2:
            services.thread_reply(thread=thread, agent=agent, body="Réponse", files=[])


@pytest.mark.parametrize("tab", ["", "?file=tout", "?file=en-attente"])
def test_the_queue_does_not_grow_with_its_threads(agent_client, agent, tab):
    threads_for(2, agent)
    few = queries(agent_client, "/agents/messaging/thread/" + tab)
    threads_for(28, agent)
    assert queries(agent_client, "/agents/messaging/thread/" + tab) == few


def test_a_thread_with_many_messages_and_files_costs_the_same(member_client, member, agent):
    from messaging.attachments import attachment_check

    thread = services.thread_create(member=member.user, subject="autre", body="1", files=[])
    url = reverse("messaging:thread", args=[thread.pk])
    few = queries(member_client, url)
    for n in range(6):
        services.thread_reply(
            thread=thread,
            agent=agent,
            body=f"R{n}",
            files=[attachment_check(upload("r.pdf", pdf_bytes()))],
        )
    assert queries(member_client, url) == few
    assert queries(member_client, reverse("messaging:threads")) <= few + 1
