"""The demo registry: realistic, deterministic, importable, and its identities really verify."""

import csv
import datetime
import io
import re

import pytest
from django.core.management import call_command

from identity import (
    normalize_employer_account,
    normalize_vitale_serial,
    parse_amount,
    parse_iban,
    parse_nir,
)
from registry import demo
from registry.digests import (
    amount_digest,
    employer_account_digest,
    iban_digest,
    nir_digest,
    vitale_digest,
)
from registry.models import Company, Person
from registry.services import registry_import


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A demo extract of 400 persons: (DemoRegistry, persons CSV, companies CSV)."""
    folder = tmp_path_factory.mktemp("demo")
    persons, companies = folder / "persons.csv", folder / "companies.csv"
    registry = demo.write(count=400, seed=5, persons_path=persons, companies_path=companies)
    return registry, persons, companies


def rows(path):
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file, delimiter=";"))


@pytest.mark.django_db
def test_the_demo_extracts_import_without_a_rejected_line(generated):
    _registry, persons, companies = generated
    people = registry_import(path=persons, kind="persons")
    firms = registry_import(path=companies, kind="companies")
    assert (people.created, people.rejected, people.rejected_lines) == (400, 0, [])
    assert (firms.created, firms.rejected) == (20, 0)


def test_the_same_seed_writes_the_same_files_and_another_seed_others(tmp_path):
    files = {}
    for name, seed in (("first", 7), ("again", 7), ("other", 8)):
        files[name] = (tmp_path / f"{name}-persons.csv", tmp_path / f"{name}-companies.csv")
        demo.write(count=50, seed=seed, persons_path=files[name][0], companies_path=files[name][1])
    for first, again, other in zip(*files.values(), strict=True):
        assert first.read_bytes() == again.read_bytes()
        assert first.read_bytes() != other.read_bytes()


def test_the_extract_covers_every_case_a_demo_needs(generated):
    persons = rows(generated[1])
    places = {parse_nir(p["nir"], key="required").department for p in persons}
    assert {"977", "971", "2A", "2B", "99"} <= places
    assert any(p["nir"][5:10] == "97123" for p in persons)  # Saint-Barthélemy before 2007
    assert any(parse_nir(p["nir"]).has_fictitious_month for p in persons)
    assert {p["carte_vitale"] for p in persons} == {"photo", "sans_photo", ""}
    photo_serials = [p["numero_serie_vitale"] for p in persons if p["carte_vitale"] == "photo"]
    forms = {(len(s.replace(" ", "")) == 20, " " in s) for s in photo_serials}
    assert forms == {(True, False), (True, True), (False, False), (False, True)}  # every form
    assert {p["affilie_sante"] for p in persons} == {"oui", "non"}
    profiles = {name for p in persons for name in p["profils"].split(",")}
    assert profiles == {"particulier", "exploitant", "employeur_jardinier", "cotisant_solidarite"}
    assert any("," in p["profils"] for p in persons)
    assert any(p["email"] for p in persons) and any(not p["email"] for p in persons)
    assert any(p["mobile"] for p in persons) and any(not p["mobile"] for p in persons)
    assert any(p["iban"] for p in persons) and any(p["dernier_paiement"] for p in persons)
    names = " ".join(p["nom"] + " " + p["prenoms"] for p in persons)
    assert re.search(r"[éèêëïôç]", names.lower()) and "-" in names and "'" in names
    assert any("," in p["prenoms"] for p in persons)
    island = [p for p in persons if p["code_postal"] == "97133"]
    assert island and all(p["commune"] == "SAINT-BARTHELEMY" for p in island)
    assert any(p["adresse_5"] == "Lorient" for p in island)
    assert any(p["code_postal"] != "97133" and not p["pays"] for p in persons)  # mainland
    emails = [p["email"] for p in persons if p["email"]]
    assert all(e.endswith(("@example.org", "@example.com", "@example.net")) for e in emails)


@pytest.mark.django_db
def test_the_printed_identities_are_the_ones_that_verify(generated):
    registry, persons, companies = generated
    registry_import(path=persons, kind="persons")
    registry_import(path=companies, kind="companies")
    text = demo.identities_text(registry)

    def person_after(title):
        block = text.split(title, 1)[1]
        grouped = re.search(r"Numéro de Sécurité Sociale : ([0-9AB ]{18})", block)[1]
        nir = parse_nir(grouped, key="forbidden")
        return Person.objects.get(nir_digest=nir_digest(nir.body)), block.split("\n\n", 1)[0]

    assert "n'importe quelle adresse email : le courrier arrive dans la boîte" in text
    vitale, block = person_after("1. Mot de passe par email, vérifié par la carte Vitale")
    printed = re.search(r"numéro imprimé sur la carte : (802500002 [0-9]{11})\n", block)[1]
    short = re.search(r"tapez ([0-9]{11}), ou le numéro en entier", block)[1]
    assert printed == f"802500002 {short}"
    for typed in (printed, short):  # the prefix typed or not: the same person found
        assert vitale.vitale_serial_digest == vitale_digest(
            normalize_vitale_serial(typed, card="photo")
        )
    assert vitale.carte_vitale == "photo" and vitale.affilie_sante
    file_holds = {row["nir"][:13]: row["numero_serie_vitale"] for row in rows(persons)}
    assert file_holds[registry.showcase[0]["nir"][:13]] == printed.replace(" ", "")
    short_held, short_block = person_after("1 bis. Mot de passe par email, carte Vitale")
    short = re.search(r"tapez ([0-9]{11}), ou le numéro en entier", short_block)[1]
    assert file_holds[registry.showcase[5]["nir"][:13]] == short  # the file holds the short form
    assert short_held.vitale_serial_digest == vitale_digest(short)
    assert short_held.carte_vitale == "photo"
    assert f"Nom : {vitale.nom} ; prénom : {vitale.prenoms.split(',')[0]}" in block
    assert f"date de naissance : {vitale.date_naissance:%d/%m/%Y}" in block

    by_iban, block = person_after("2. Mot de passe par email, vérifié par l'IBAN")
    iban = re.search(r"IBAN : ([A-Z0-9 ]+)", block)[1]
    assert by_iban.iban_digest == iban_digest(parse_iban(iban))

    paid, block = person_after("3. Mot de passe par email, vérifié par le montant")
    amount = parse_amount(re.search(r"reçu : ([0-9,.]+) €", block)[1])
    assert paid.last_payment_digest == amount_digest(str(amount))

    postal, _block = person_after("4. Mot de passe par courrier")
    assert not postal.affilie_sante

    company_block = text.split("6. Entreprise", 1)[1]
    siret = re.search(r"SIRET : ([0-9 ]+) ;", company_block)[1].replace(" ", "")
    account = re.search(r"compte employeur : ([0-9 ]+)", company_block)[1]
    company = Company.objects.get(siret=siret)
    assert company.employer_account_digest == employer_account_digest(
        normalize_employer_account(account)
    )

    unknown = re.search(r"7\. .*\n.*Sécurité Sociale : ([0-9AB ]{18})", text)[1]
    body = parse_nir(unknown, key="forbidden").body
    assert not Person.objects.filter(nir_digest=nir_digest(body)).exists()


def test_the_command_writes_the_files_and_prints_the_identities(tmp_path):
    out = io.StringIO()
    paths = {name: tmp_path / f"{name}.txt" for name in ("out", "companies_out", "identities")}
    call_command(
        "make_demo_registry",
        count=30,
        seed=3,
        out=str(paths["out"]),
        companies_out=str(paths["companies_out"]),
        identities_out=str(paths["identities"]),
        stdout=out,
    )
    identities = paths["identities"].read_text(encoding="utf-8")
    assert identities.startswith("Identités de démonstration (registre synthétique, graine 3)")
    assert identities in out.getvalue()
    assert len(paths["out"].read_text(encoding="utf-8").splitlines()) == 31
    assert paths["companies_out"].read_text(encoding="utf-8").startswith("siret;raison_sociale;")


@pytest.mark.django_db
def test_each_demo_identity_leads_where_the_text_says(generated):
    """Typed as the text says, each identity gets the outcome its title announces."""
    from identity import parse_siret
    from signup.registration import Registration, SignupProfile
    from signup.services import Outcome, registration_complete
    from verification.models import Proof

    registry, persons, companies = generated
    registry_import(path=persons, kind="persons")
    registry_import(path=companies, kind="companies")
    blocks = demo.identities_text(registry).split("\n\n")[1:]

    def typed(block, **proof):
        nir = re.search(r"Sécurité Sociale : ([0-9AB ]{18})", block)[1]
        names = re.search(r"Nom : (.+) ; prénom : (.+) ; date de naissance : (\S+)", block)
        day, month, year = names[3].split("/")
        return Registration(
            profile=SignupProfile.PARTICULIER,
            language="fr",
            last_name=names[1],
            first_name=names[2],
            email="quelquun@example.org",
            nir_body=parse_nir(nir, key="forbidden").body,
            birth_date=datetime.date(int(year), int(month), int(day)),
            **proof,
        )

    def serial(block):
        photo = re.search(r"numéro imprimé sur la carte : ([0-9 ]+)\n", block)
        if photo:
            return vitale_digest(normalize_vitale_serial(photo[1], card="photo"))
        printed = re.search(r"numéro de série : ([0-9]+)", block)[1]
        return vitale_digest(normalize_vitale_serial(printed, card="sans_photo"))

    iban = re.search(r"IBAN : ([A-Z0-9 ]+)", blocks[2])[1]
    amount = re.search(r"reçu : ([0-9,.]+) €", blocks[3])[1]
    siret = parse_siret(re.search(r"SIRET : ([0-9 ]+) ;", blocks[6])[1])
    account = re.search(r"compte employeur : ([0-9 ]+)", blocks[6])[1]
    cases = [
        (typed(blocks[0], proof=Proof.VITALE, proof_digest=serial(blocks[0])), "account_email"),
        (typed(blocks[1], proof=Proof.VITALE, proof_digest=serial(blocks[1])), "account_email"),
        (
            typed(blocks[2], proof=Proof.IBAN, proof_digest=iban_digest(parse_iban(iban))),
            "account_email",
        ),
        (
            typed(
                blocks[3], proof=Proof.AMOUNT, proof_digest=amount_digest(str(parse_amount(amount)))
            ),
            "account_email",
        ),
        (typed(blocks[4], proof=Proof.NONE), "account_post"),
        (typed(blocks[5], proof=Proof.VITALE, proof_digest=serial(blocks[5])), "account_email"),
        (
            Registration(
                profile=SignupProfile.ENTREPRISE,
                language="fr",
                last_name="Questel",
                first_name="Anne",
                email="quelquun@example.org",
                siret=siret,
                proof=Proof.EMPLOYER_ACCOUNT,
                proof_digest=employer_account_digest(normalize_employer_account(account)),
            ),
            "account_email",
        ),
        (
            Registration(
                profile=SignupProfile.PARTICULIER,
                language="fr",
                last_name="Inconnu",
                first_name="Jean",
                email="quelquun@example.org",
                nir_body=parse_nir(registry.unknown_nir, key="required").body,
                birth_date=datetime.date(1984, 7, 1),
            ),
            "review",
        ),
    ]
    for number, (registration, expected) in enumerate(cases, 1):
        completion = registration_complete(registration=registration, client=f"demo-{number}")
        assert (number, completion.outcome) == (number, Outcome(expected))
