"""Bad input: each refused with a plain-French message next to its field, the value kept."""

import html

import pytest

from signup.models import SignupRequest

from .factories import company_create, person_create
from .pages import field_error, input_tag, input_value, text
from .walk import answer, company_pages, person_pages, url

pytestmark = pytest.mark.django_db

NIR_CHARS = (
    "Le numéro de Sécurité Sociale ne contient que des chiffres, "
    "sauf 2A ou 2B pour une naissance en Corse."
)
NAME_CHARS = (
    "Utilisez seulement des lettres, des espaces, des traits d'union et des apostrophes, "
    "comme sur vos papiers d'identité."
)
CONTROL = "Ce champ contient des caractères non autorisés."


def reach(client, slug, *, proof="vitale", card=None):
    """Answer the pages before ``slug`` correctly."""
    card = card or person_create()
    secret = {"vitale": card.serial, "iban": card.iban, "amount": card.amount}.get(proof, "")
    pages = person_pages(
        nir=card.nir,
        nom=card.nom,
        prenom=card.prenom,
        birth_date=card.birth_date_typed,
        proof=proof,
        secret=secret,
    )
    for page_slug, data in pages:
        if page_slug == slug:
            return data
        answer(client, page_slug, data)
    raise AssertionError(slug)


def refused(client, slug, data, field, message, *, typed=None):
    response = client.post(url(slug), data)
    assert response.status_code == 200, f"{slug} accepted {data[field]!r}"
    page = response.content.decode()
    # Next to the field, tied to it, in the summary at the top, and the page title says so.
    assert field_error(page, field) == message
    tag = input_tag(page, field)
    assert 'aria-invalid="true"' in tag
    assert f"id_{field}_error" in tag
    summary = page.split('class="error-summary"')[1].split("</div>")[0]
    assert f'href="#id_{field}"' in summary
    assert html.unescape(message) in html.unescape(summary)
    assert page.split("<title>")[1].split("</title>")[0].strip().startswith("Erreur")
    # What was typed is still there.
    assert input_value(page, field) == (data[field] if typed is None else typed)
    return page


@pytest.mark.parametrize(
    "nir, message",
    [
        ("285059770100", "Le numéro de Sécurité Sociale doit comporter 13 chiffres (sans la clé)."),
        ("2850597701O01", NIR_CHARS),
        (
            "2 85 13 977 01 001",
            "Le mois de naissance indiqué dans le numéro (4e et 5e chiffres) "
            "n'existe pas : il va de 01 à 12.",
        ),
        ("285052C010001", NIR_CHARS),
        ("285059770100104", "Saisissez les 13 premiers chiffres, sans la clé."),
        ("585059770100", "Le numéro de Sécurité Sociale doit comporter 13 chiffres (sans la clé)."),
        ("585059770100 1", "Le premier chiffre du numéro de Sécurité Sociale doit être 1 ou 2."),
    ],
)
def test_a_wrong_nir_is_refused_with_its_reason(client, nir, message):
    reach(client, "identifiant")
    refused(client, "identifiant", {"nir": nir}, "nir", message)


@pytest.mark.parametrize(
    "birth_date, message",
    [
        (
            "12/06/1985",
            "La date de naissance ne correspond pas à l'année et au mois de naissance "
            "indiqués dans le numéro de Sécurité Sociale.",
        ),
        ("12/05/2985", "La date de naissance ne peut pas être dans le futur."),
        ("30/02/1990", "Cette date n'existe pas : vérifiez le jour et le mois."),
        ("1985-05-12", "Indiquez la date au format JJ/MM/AAAA, par exemple 25/12/1985."),
    ],
)
def test_a_wrong_date_of_birth_is_refused(client, birth_date, message):
    data = reach(client, "coordonnees")
    refused(client, "coordonnees", dict(data, birth_date=birth_date), "birth_date", message)


def test_an_email_without_domain_is_refused(client):
    data = reach(client, "coordonnees")
    refused(
        client,
        "coordonnees",
        dict(data, email="marie.questel@"),
        "email",
        "Indiquez une adresse email complète, par exemple nom@exemple.fr.",
    )


def test_a_landline_is_refused_as_mobile(client):
    data = reach(client, "coordonnees")
    refused(
        client,
        "coordonnees",
        dict(data, mobile="05 90 27 60 60"),
        "mobile",
        "Ce numéro n'est pas celui d'un téléphone mobile : indiquez un numéro de mobile.",
    )


@pytest.mark.parametrize("field", ["last_name", "first_name"])
@pytest.mark.parametrize(
    "value, message",
    [
        (
            "Q" * 5000,
            "Assurez-vous que cette valeur comporte au plus 100 caractères (actuellement 5000).",
        ),
        ("Ques\x00tel", CONTROL),
        ("Ques\x1btel", CONTROL),
        ("<script>alert(1)</script>", NAME_CHARS),
        ("Robert'); DROP TABLE registry_person; --", NAME_CHARS),
        ("' OR '1'='1", NAME_CHARS),
        ("Questel2", NAME_CHARS),
    ],
)
def test_names_refuse_what_no_name_holds(client, field, value, message):
    data = reach(client, "coordonnees")
    page = refused(client, "coordonnees", dict(data, **{field: value}), field, message)
    assert "<script>alert(1)</script>" not in page


def test_a_vitale_serial_with_letters_is_refused(client):
    reach(client, "numero-de-serie")
    refused(
        client,
        "numero-de-serie",
        {"serial": "8025OOOO2"},
        "serial",
        "Le numéro de série de la carte Vitale ne contient que des chiffres.",
    )


def test_an_iban_with_a_wrong_key_is_refused(client):
    reach(client, "iban", proof="iban")
    refused(
        client,
        "iban",
        {"iban": "FR76 3000 6000 0112 3456 7890 188"},
        "iban",
        "L'IBAN comporte une erreur : vérifiez chaque chiffre et chaque lettre.",
    )


def test_an_amount_with_three_decimals_is_refused(client):
    reach(client, "montant", proof="amount")
    refused(
        client,
        "montant",
        {"amount": "123,456"},
        "amount",
        "Indiquez le montant avec 2 chiffres après la virgule au plus, par exemple 123,45.",
    )


@pytest.mark.parametrize(
    "slug, field",
    [("identifiant", "nir"), ("numero-de-serie", "serial"), ("coordonnees", "birth_date")],
)
@pytest.mark.parametrize("value", ["<b>1</b>", "1' OR '1'='1", "1\x07"])
def test_html_sql_and_control_characters_in_every_other_text_field(client, slug, field, value):
    data = reach(client, slug)
    response = client.post(url(slug), dict(data, **{field: value}))
    page = response.content.decode()
    assert response.status_code == 200
    assert field_error(page, field)
    assert "<b>1</b>" not in page
    assert input_value(page, field) == value


def test_a_wrong_siret_is_refused(client):
    company = company_create()
    answer(client, "profil", {"profile": "entreprise"})
    refused(
        client,
        "entreprise-identifiant",
        {"siret": company.siret[:-1] + str((int(company.siret[-1]) + 1) % 10)},
        "siret",
        "Ce numéro SIRET n'est pas valide : vérifiez chaque chiffre.",
    )
    pages = company_pages(siret=company.siret)
    answer(client, *pages[1])
    answer(client, *pages[2])
    refused(
        client,
        "entreprise-verification",
        {"account": "EMP/45#21"},
        "account",
        "Le numéro de compte employeur ne contient que des chiffres et des lettres.",
    )


def test_the_autre_request_keeps_html_and_sql_as_plain_text(client):
    answer(client, "profil", {"profile": "autre"})
    answer(client, "autre-fonction", {"function": "mandataire"})
    data = {
        "last_name": "Hodge",
        "first_name": "Anne",
        "email": "anne@example.org",
        "mobile": "",
        "organisation": "<img src=x onerror=alert(1)>",
        "message": "x" * 2001,
    }
    page = refused(
        client,
        "autre-demande",
        data,
        "message",
        "Assurez-vous que cette valeur comporte au plus 2000 caractères (actuellement 2001).",
    )
    assert "<img src=x" not in page
    assert input_value(page, "organisation") == "<img src=x onerror=alert(1)>"
    refused(client, "autre-demande", dict(data, message="Bonjour\x00"), "message", CONTROL)
    assert not SignupRequest.objects.exists()
    answer(client, "autre-demande", dict(data, message="Bonjour,\r\n\tmerci."))
    assert SignupRequest.objects.get().message == "Bonjour,\r\n\tmerci."
    assert "Bonjour" not in text(client.get(url("profil")).content.decode())
