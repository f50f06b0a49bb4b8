"""The letter batches' pages of the back-office: an agent makes, posts and reprints a batch, and
the pages that list letters read them in a fixed number of queries. The batches themselves
(delivery/letters.py) are tested in tests/delivery/test_letters.py."""

import pytest

from accounts.passwords import temporary_password_match
from delivery.models import Letter, LetterBatch
from tests.backoffice import factories
from tests.delivery.pdf_reading import read_letters

pytestmark = pytest.mark.django_db


def test_agent_generates_the_batch_from_the_back_office(agent_client, agent):
    factories.letter()
    factories.letter()
    page = agent_client.get("/agents/delivery/letterbatch/").content.decode()
    assert "Générer le lot de courriers" in page and "2 en attente" in page
    response = agent_client.post("/agents/delivery/letterbatch/generer/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    pdf = b"".join(response.streaming_content)
    assert len(read_letters(pdf)) == 2
    batch = LetterBatch.objects.get()
    assert batch.created_by == agent
    response = agent_client.post(f"/agents/delivery/letterbatch/{batch.pk}/confirmer-envoi/")
    assert response.status_code == 302
    assert set(Letter.objects.values_list("status", flat=True)) == {Letter.Status.POSTED}


def test_agent_reprints_a_batch_not_yet_posted(agent_client, agent):
    letter = factories.letter()
    first = read_letters(
        b"".join(agent_client.post("/agents/delivery/letterbatch/generer/").streaming_content)
    )
    batch = LetterBatch.objects.get()
    response = agent_client.post(f"/agents/delivery/letterbatch/{batch.pk}/reimprimer/")
    second = read_letters(b"".join(response.streaming_content))
    assert temporary_password_match(user=letter.user, password=first[0].password) is None
    assert temporary_password_match(user=letter.user, password=second[0].password) is not None


def test_a_batch_page_reads_its_letters_in_a_fixed_number_of_queries(agent_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(letters: int) -> int:
        batch = LetterBatch.objects.create(letter_count=letters)
        for _ in range(letters):
            factories.letter(batch=batch, status=Letter.Status.PRINTED)
        with CaptureQueriesContext(connection) as queries:
            page = agent_client.get(f"/agents/delivery/letterbatch/{batch.pk}/change/")
        assert page.status_code == 200
        return len(queries)

    queries_for(1)  # the first page of the session also reads what later pages find cached
    assert queries_for(2) == queries_for(12)  # not one query per letter


def test_an_account_page_reads_its_letters_in_a_fixed_number_of_queries(agent_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(letters: int) -> int:
        member = factories.member()
        for _ in range(letters):
            batch = LetterBatch.objects.create(letter_count=1)
            factories.letter(user=member, batch=batch, status=Letter.Status.PRINTED)
        with CaptureQueriesContext(connection) as queries:
            page = agent_client.get(f"/agents/backoffice/memberaccount/{member.pk}/change/")
        assert page.status_code == 200
        return len(queries)

    queries_for(1)  # the first page of the session also reads what later pages find cached
    assert queries_for(2) == queries_for(12)  # not one query per letter
