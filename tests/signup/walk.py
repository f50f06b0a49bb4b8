"""Walk through the registration's pages with Django's test client, as a person would."""

from django.urls import reverse

URL_NAMES = {
    "profil": "signup:start",
    "identifiant": "signup:identifiant",
    "coordonnees": "signup:coordonnees",
    "verification": "signup:verification",
    "carte-vitale": "signup:carte_vitale",
    "numero-de-serie": "signup:numero_de_serie",
    "autre-information": "signup:autre_information",
    "iban": "signup:iban",
    "montant": "signup:montant",
    "entreprise-identifiant": "signup:entreprise_identifiant",
    "entreprise-coordonnees": "signup:entreprise_coordonnees",
    "entreprise-verification": "signup:entreprise_verification",
    "reception": "signup:reception",
    "conditions": "signup:conditions",
    "autre-fonction": "signup:autre_fonction",
    "autre-demande": "signup:autre_demande",
}


def url(slug: str) -> str:
    return reverse(URL_NAMES[slug])


def answer(client, slug: str, data: dict | None = None, **extra):
    """POST one page; fail with the page's errors if it did not move on."""
    response = client.post(url(slug), data or {}, **extra)
    if response.status_code != 302:
        form = response.context["form"] if response.context else None
        raise AssertionError(f"{slug}: {response.status_code} {form.errors if form else ''}")
    return response


def person_pages(
    *,
    nir: str,
    nom: str,
    prenom: str,
    birth_date: str,
    email: str = "marie.questel@example.org",
    mobile: str = "0690 12 34 56",
    profile: str = "particulier",
    proof: str = "vitale",
    secret: str = "",
    vitale_card: str = "photo",
) -> list[tuple[str, dict]]:
    """The pages and answers of a person's registration; ``proof`` is vitale, iban, amount or
    none (``none`` says « Non » to the health question, then « aucune »); ``vitale_card`` is the
    Vitale card's type for the vitale proof."""
    pages = [
        ("profil", {"profile": profile}),
        ("identifiant", {"nir": nir}),
        (
            "coordonnees",
            {
                "last_name": nom,
                "first_name": prenom,
                "birth_date": birth_date,
                "email": email,
                "mobile": mobile,
            },
        ),
    ]
    if proof == "vitale":
        pages += [
            ("verification", {"affiliated": "oui"}),
            ("carte-vitale", {"card": vitale_card}),
            ("numero-de-serie", {"serial": secret}),
        ]
    else:
        pages += [
            ("verification", {"affiliated": "non"}),
            ("autre-information", {"proof": proof}),
        ]
        if proof == "iban":
            pages.append(("iban", {"iban": secret}))
        elif proof == "amount":
            pages.append(("montant", {"amount": secret}))
    pages += [("reception", {}), ("conditions", {})]
    return pages


def register_person(client, card=None, **values):
    """Post every page of a person's registration; returns the last response (to page 7)."""
    if card is not None:
        values = {
            "nir": card.nir,
            "nom": card.nom,
            "prenom": card.prenom,
            "birth_date": card.birth_date_typed,
            **values,
        }
        if "secret" not in values:
            proof = values.get("proof", "vitale")
            values["secret"] = {
                "vitale": card.serial,
                "iban": card.iban,
                "amount": card.amount,
            }.get(proof, "")
    response = None
    for slug, data in person_pages(**values):
        response = answer(client, slug, data)
    return response


def company_pages(
    *, siret: str, account: str = "", email: str = "gerant@jardins.example"
) -> list[tuple[str, dict]]:
    verification = {"account": account} if account else {"no_account": "on"}
    return [
        ("profil", {"profile": "entreprise"}),
        ("entreprise-identifiant", {"siret": siret}),
        (
            "entreprise-coordonnees",
            {"last_name": "Gréaux", "first_name": "Jean", "email": email, "mobile": ""},
        ),
        ("entreprise-verification", verification),
        ("reception", {}),
        ("conditions", {}),
    ]


def register_company(client, **values):
    response = None
    for slug, data in company_pages(**values):
        response = answer(client, slug, data)
    return response
