"""« Mes paiements », « Mes attestations », « Mes cotisations »: what a member sees, downloads and
proves (the proof checked on « Vérifier une attestation »), and what nobody else can."""

import csv
import datetime
import html
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from payments.codes import code_digest
from payments.models import Attestation, Contribution
from tests.accounts.factories import (
    PERSONAL_PASSWORD,
    make_company_member,
    make_member,
    make_person,
)
from tests.payments import data

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def pdf_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def retiree(db):
    return make_member(temporary=None, password=PERSONAL_PASSWORD)


@pytest.fixture
def retiree_client(client, retiree):
    client.force_login(retiree.user, backend="accounts.backends.MemberBackend")
    return client


def test_payments_by_year_newest_first_with_totals(retiree_client, retiree):
    person = retiree.user.person
    data.payment(person, on=datetime.date(2024, 11, 5))
    data.payment(person, on=datetime.date(2025, 1, 6), amount="820.00")
    data.payment(
        person,
        on=datetime.date(2025, 2, 5),
        amount="-35.10",
        nature="maladie",
        libelle="Reprise d'un trop-perçu",
        periode_debut=None,
        periode_fin=None,
    )
    page = text(retiree_client.get(reverse("portal:payments")))
    assert "Année 2025" in page
    assert page.index("05/02/2025") < page.index("06/01/2025")
    assert "Reprise d'un trop-perçu" in page and "-35,10 €" in page
    assert "784,90 €" in page  # 820.00 - 35.10, the year's total
    assert "812,40 €" in page  # 2024's total, in the list of years
    assert "05/11/2024" not in page  # one year at a time
    older = text(retiree_client.get(reverse("portal:payments_year", args=[2024])))
    assert "05/11/2024" in older and "du 01/11/2024 au 28/11/2024" in older
    assert retiree_client.get(reverse("portal:payments_year", args=[2019])).status_code == 404


def test_a_member_with_no_payment_reads_a_sentence_not_an_empty_table(retiree_client):
    page = text(retiree_client.get(reverse("portal:payments")))
    assert "aucune somme" in page
    assert "<table" not in page


def test_the_csv_of_a_year_opens_in_a_spreadsheet_and_neutralizes_formulas(retiree_client, retiree):
    person = retiree.user.person
    data.payment(person, on=datetime.date(2025, 3, 5), amount="1234.56")
    data.payment(person, on=datetime.date(2025, 4, 5), amount="-12.00", libelle="=HYPERLINK(1)")
    data.payment(person, on=datetime.date(2024, 4, 5))
    response = retiree_client.get(reverse("portal:payments_csv", args=[2025]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="paiements-2025.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffDate;Nature;")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert len(rows) == 3  # the header and 2025's two payments
    assert rows[1][0] == "05/04/2025" and rows[1][2] == "'=HYPERLINK(1)" and rows[1][5] == "-12,00"
    assert rows[2][5] == "1234,56"
    assert retiree_client.get(reverse("portal:payments_csv", args=[2023])).status_code == 404
    assert retiree_client.get("/mon-espace/paiements/99999999.csv").status_code == 404


def test_attestation_de_paiements_lists_the_period_and_can_be_verified(
    retiree_client, retiree, client
):
    person = retiree.user.person
    data.payment(person, on=datetime.date(2025, 1, 6), amount="820.00")
    data.payment(
        person,
        on=datetime.date(2025, 2, 5),
        amount="820.00",
        libelle="Remboursement analyses de laboratoire de biologie médicale",
    )
    data.payment(person, on=datetime.date(2025, 3, 5), amount="999.99")
    response = retiree_client.post(
        reverse("portal:attestations"),
        {"kind": "paiements", "start": "01/01/2025", "end": "28/02/2025"},
    )
    assert response["Content-Type"] == "application/pdf"
    content = pdf_text(response)
    assert "Attestation de paiements" in content
    assert "1 640,00 €" in content or "1\u202f640,00 €" in content or "1640,00" in content
    assert "999,99" not in content
    # A long wording or period wraps in its column, never cut off.
    assert "biologie médicale" in content and "01/02/2025 au\n28/02/2025" in content
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", content)[0]
    attestation = Attestation.objects.get()
    assert attestation.code_digest == code_digest(code.replace("-", ""))
    assert code not in str(Attestation.objects.values_list())  # only its digest is kept

    client.logout()
    answer = text(client.post(reverse("payments:verify"), {"code": code.lower()}))
    assert "bien été délivrée" in answer
    assert "du 01/01/2025 au 28/02/2025" in answer and "1 640,00 €" in answer.replace("\xa0", " ")
    assert "M. D." in answer  # Marie Dupont, reduced to initials
    assert "DUPONT" not in answer and "Marie" not in answer


def test_the_attestation_period_is_checked_next_to_what_was_typed(retiree_client):
    response = retiree_client.post(
        reverse("portal:attestations"),
        {"kind": "paiements", "start": "31/02/2025", "end": "01/01/2025"},
    )
    page = text(response)
    assert response.status_code == 200
    assert "Erreur" in page.split("</title>")[0]
    assert "format JJ/MM/AAAA" in page
    assert 'value="31/02/2025"' in page
    assert not Attestation.objects.exists()


def test_attestation_d_affiliation(retiree_client):
    response = retiree_client.post(reverse("portal:attestations"), {"kind": "affiliation"})
    content = pdf_text(response)
    assert "Attestation d'affiliation" in content
    assert "au titre de : Particulier." in content
    assert "Elle est affiliée à la CPS Saint-Barthélemy pour l'assurance maladie." in content
    assert Attestation.objects.get().kind == "affiliation"


def test_contributions_of_a_company_and_the_attestation_de_situation(client):
    company = make_company_member()
    client.force_login(company.user, backend="accounts.backends.MemberBackend")
    today = timezone.localdate()
    data.contribution(
        company=company.user.company,
        due=today - datetime.timedelta(days=40),
        montant_paye=Decimal("850.00"),
        statut=Contribution.Status.PAYE,
    )
    upcoming = data.contribution(
        company=company.user.company, due=today + datetime.timedelta(days=20)
    )
    page = text(client.get(reverse("portal:contributions")))
    assert "850,00 €" in page and "À jour" in page
    assert f"avant le {upcoming.date_echeance:%d/%m/%Y}" in page
    response = client.post(reverse("portal:contributions"))
    assert response["Content-Type"] == "application/pdf"
    assert "Attestation de situation" in pdf_text(response)

    upcoming.statut = Contribution.Status.EN_RETARD
    upcoming.save()
    refused = client.post(reverse("portal:contributions"))
    assert refused.status_code == 409
    assert "ne peut pas être délivrée" in text(refused)
    assert Attestation.objects.count() == 1


def test_a_past_due_date_unpaid_is_overdue_even_if_the_extract_says_a_payer(client):
    company = make_company_member()
    client.force_login(company.user, backend="accounts.backends.MemberBackend")
    data.contribution(
        company=company.user.company, due=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = text(client.get(reverse("portal:contributions")))
    assert "1 échéance en retard" in page
    assert "Télécharger l'attestation de situation" not in page


def test_mes_cotisations_is_only_for_contributors(retiree_client, client):
    assert retiree_client.get(reverse("portal:contributions")).status_code == 404
    assert "Mes cotisations" not in text(retiree_client.get(reverse("portal:home")))
    farmer = make_member(temporary=None, password=PERSONAL_PASSWORD)
    farmer.user.person.profils = "particulier,exploitant"
    farmer.user.person.save()
    client.force_login(farmer.user, backend="accounts.backends.MemberBackend")
    assert "Mes cotisations" in text(client.get(reverse("portal:home")))
    assert client.get(reverse("portal:contributions")).status_code == 200


SPACE_URLS = [
    ("portal:payments", []),
    ("portal:payments_year", [2025]),
    ("portal:payments_csv", [2025]),
    ("portal:attestations", []),
    ("portal:contributions", []),
]


@pytest.mark.parametrize(("name", "args"), SPACE_URLS)
def test_anonymous_visitors_go_to_the_login_page(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")


def test_a_member_never_sees_another_members_data(client):
    """Every address of the space, with every identifier of the other member that exists
    (their payments' and contributions' references and ids, their years, their attestation's
    code): only one's own data, or nothing."""
    victim_person, victim_nir = make_person(nom="GREAUX", prenoms="ODILE")
    victim = make_member(
        person=victim_person, nir=victim_nir, temporary=None, password=PERSONAL_PASSWORD
    )
    victim.user.person.profils = "exploitant"
    victim.user.person.save()
    secret = data.payment(
        victim.user.person, on=datetime.date(2023, 5, 5), libelle="SECRET-LIBELLE", amount="4321.00"
    )
    owed = data.contribution(
        person=victim.user.person, due=datetime.date(2023, 6, 30), periode="2023-T2"
    )
    attacker = make_member(temporary=None, password=PERSONAL_PASSWORD)
    attacker.user.person.profils = "exploitant"
    attacker.user.person.save()
    data.payment(attacker.user.person, on=datetime.date(2025, 5, 5))
    client.force_login(attacker.user, backend="accounts.backends.MemberBackend")

    identifiers = [secret.pk, owed.pk, secret.reference, owed.reference, 2023, victim.user.pk]
    responses = [client.get(reverse("portal:payments"))]
    for value in identifiers:
        for name in ("portal:payments_year", "portal:payments_csv"):
            if str(value).isdigit():  # other values cannot even be written in these addresses
                responses.append(client.get(reverse(name, args=[value])))
        for page in ("portal:payments", "portal:attestations", "portal:contributions"):
            query = {"annee": value, "id": value, "person": value, "user": value, "pk": value}
            responses.append(client.get(reverse(page), query))
    for field in ("person", "user", "person_id", "user_id", "pk", "nir"):
        responses.append(
            client.post(
                reverse("portal:attestations"),
                {
                    "kind": "paiements",
                    "start": "01/01/2023",
                    "end": "31/12/2023",
                    field: victim.user.pk,
                },
            )
        )
        responses.append(client.post(reverse("portal:contributions"), {field: victim.user.pk}))
    for response in responses:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response["Content-Type"] == "application/pdf":
            body = pdf_text(response).encode()
        assert b"SECRET-LIBELLE" not in body and b"4321" not in body and b"4 321" not in body
        assert b"2023-T2" not in body
        assert b"GREAUX" not in body and b"ODILE" not in body
