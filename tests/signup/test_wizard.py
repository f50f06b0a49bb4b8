"""The seven steps as pages: the guide's words, back, abandon, the order, the session."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from signup.models import FunnelCount, SignupRequest
from signup.wizard import SESSION_KEY

from .factories import IBAN, company_create, person_create
from .pages import field_error, input_tag, input_value, text
from .walk import answer, company_pages, person_pages, register_person, url

pytestmark = pytest.mark.django_db


def card_pages(card, **values):
    secret = {"vitale": card.serial, "iban": card.iban, "amount": card.amount}.get(
        values.get("proof", "vitale"), ""
    )
    return person_pages(
        nir=card.nir,
        nom=card.nom,
        prenom=card.prenom,
        birth_date=card.birth_date_typed,
        secret=secret,
        **values,
    )


def walk_until(client, pages, slug):
    """Answer every page before ``slug``; return the page ``slug`` as shown."""
    for page_slug, data in pages:
        if page_slug == slug:
            return client.get(url(slug)).content.decode()
        answer(client, page_slug, data)
    raise AssertionError(slug)


# --- The guide's words -------------------------------------------------------------------


def test_step_1_offers_the_six_profiles_of_the_guide(client):
    page = client.get(reverse("signup:start")).content.decode()
    words = text(page)
    assert "Étape 1 sur 7" in words
    assert "Créer mon espace privé" in words and "Vous êtes..." in words
    labels = [
        "Exploitant agricole",
        "Entreprise",
        "Particulier",
        "Employeur de jardinier en tant que particulier",
        "Cotisant de solidarité",
        "Autre ...",
    ]
    positions = [words.index(label) for label in labels]
    assert positions == sorted(positions)
    hint = "(salarié, retraité, collaborateur, ayant-droit, demandeur d'emploi, sans emploi ...)"
    assert hint in words
    # The hint is read with the Particulier option.
    assert 'aria-describedby="id_profile_2_hint"' in page
    assert "<legend" in page
    assert "Abandonner" in words and "Suivant >" in words
    assert "Précédent" not in words


def test_every_person_step_speaks_the_guide(client):
    card = person_create()
    pages = card_pages(card)
    expected = {
        "identifiant": [
            "Étape 2 sur 7",
            "Votre identifiant",
            "Renseigner votre numéro de Sécurité Sociale",
            "Numéro de Sécurité Sociale",
            "je ne connais pas mon numéro de Sécurité Sociale",
        ],
        "coordonnees": [
            "Étape 3 sur 7",
            "Vos coordonnées",
            "Nom",
            "Prénom",
            "Date de naissance",
            "Adresse email",
            "Numéro de téléphone mobile",
        ],
        "verification": [
            "Étape 4 sur 7",
            "Vérification de votre identité",
            "Êtes-vous affilié à la MSA pour votre santé ?",
            "(carte Vitale, remboursement maladie, indemnités journalières, ...)",
        ],
        "carte-vitale": ["Étape 4 sur 7", "Votre carte Vitale est...", "avec photo", "sans photo"],
        "numero-de-serie": [
            "Étape 4 sur 7",
            "Numéro de série de votre carte Vitale",
            "Je n'arrive pas à lire ce numéro",
        ],
        "reception": [
            "Étape 5 sur 7",
            "Recevoir votre mot de passe",
            "Vous allez recevoir votre mot de passe provisoire à l'adresse :",
            "marie.questel@example.org",
            "Modifier l'adresse email",
        ],
        "conditions": [
            "Étape 6 sur 7",
            "Accepter les conditions générales d'utilisation",
            "lire les conditions générales d'utilisation",
            "Finaliser mon inscription en acceptant les conditions générales d'utilisation",
        ],
    }
    for slug, data in pages:
        if slug in expected:
            page = client.get(url(slug)).content.decode()
            words = text(page)
            for words_expected in expected[slug]:
                assert words_expected in words, (slug, words_expected)
            assert "Abandonner" in words and "< Précédent" in words, slug
            assert "&lt; Précédent" in page
        answer(client, slug, data)


def test_inputs_help_phones_and_password_managers(client):
    card = person_create()
    page = walk_until(client, card_pages(card), "identifiant")
    nir = input_tag(page, "nir")
    assert 'inputmode="numeric"' in nir and 'autocapitalize="characters"' in nir
    # A NIR of someone born in Corsica holds 2A or 2B: the page offers the full keyboard.
    assert 'href="?clavier=complet"' in page
    full = client.get(url("identifiant") + "?clavier=complet").content.decode()
    assert "inputmode" not in input_tag(full, "nir") and 'href="?clavier=complet"' not in full
    page = walk_until(client, card_pages(card), "coordonnees")
    assert 'autocomplete="family-name"' in input_tag(page, "last_name")
    assert 'autocomplete="given-name"' in input_tag(page, "first_name")
    birth = input_tag(page, "birth_date")
    assert 'type="text"' in birth and 'autocomplete="bday"' in birth
    assert 'type="email"' in input_tag(page, "email")
    assert 'autocomplete="email"' in input_tag(page, "email")
    mobile = input_tag(page, "mobile")
    assert 'type="tel"' in mobile and 'autocomplete="tel"' in mobile
    page = walk_until(client, card_pages(card), "numero-de-serie")
    assert 'inputmode="numeric"' in input_tag(page, "serial")
    # Every form posts without the browser's own validation: the server's messages show.
    assert "novalidate" in page


def test_the_pencil_leads_back_to_step_3_and_the_new_email_is_shown(client):
    card = person_create()
    pages = card_pages(card)
    page = walk_until(client, pages, "reception")
    assert f'<a href="{url("coordonnees")}"><span aria-hidden="true">✎</span>' in page
    data = dict(pages[2][1], email="autre@example.org")
    answer(client, "coordonnees", data)
    # Step 3 leads on through the pages already answered.
    assert "autre@example.org" in client.get(url("reception")).content.decode()


def test_step_5_says_by_post_when_no_proof_was_given(client):
    card = person_create()
    page = walk_until(client, card_pages(card, proof="none"), "reception")
    assert "par courrier" in text(page)


def test_the_cgu_link_is_the_versioned_cgu_page(client):
    card = person_create()
    page = walk_until(client, card_pages(card), "conditions")
    assert f'href="{reverse("core:cgu")}"' in page


def test_page_7_says_what_design_says_and_leads_to_login(client):
    card = person_create()
    register_person(client, card)
    page = client.get(reverse("signup:done")).content.decode()
    words = text(page)
    assert "Inscription terminée" in words
    assert "Votre demande d'inscription à Mon espace privé est en cours de traitement." in words
    assert (
        "Vous allez recevoir dans quelques instants un email de confirmation contenant le mot de "
        "passe provisoire qui vous permettra de vous connecter à Mon espace privé." in words
    )
    assert f'href="{reverse("accounts:login")}"' in page
    assert "Se connecter à Mon espace privé" in words
    assert 'class="panel"' in page


# --- Required fields, back, abandon ------------------------------------------------------


def test_an_empty_step_says_renseigner_cette_information_next_to_each_field(client):
    card = person_create()
    pages = card_pages(card)
    for slug, data in pages:
        if data:
            response = client.post(url(slug), {})
            assert response.status_code == 200, slug
            page = response.content.decode()
            assert "<title>" in page and "Erreur" in page.split("</title>")[0], slug
            assert 'class="error-summary"' in page
            for field in data:
                if field in ("mobile",):  # optional
                    continue
                assert field_error(page, field) == "Renseigner cette information.", (slug, field)
        answer(client, slug, data)


def test_previous_keeps_what_was_entered_at_every_step(client):
    card = person_create()
    pages = card_pages(card, proof="amount")
    for index, (slug, data) in enumerate(pages[:-1]):
        answer(client, slug, data)
        following = pages[index + 1][0]
        page = client.get(url(following)).content.decode()
        assert f'href="{url(slug)}"' in page, following  # « < Précédent »
        previous_page = client.get(url(slug)).content.decode()
        for field, value in data.items():
            if field in ("profile", "affiliated", "card", "proof"):
                assert f'value="{value}"' in previous_page and "checked" in previous_page
            elif field == "mobile":
                assert input_value(previous_page, field) == "0690 12 34 56"
            elif field == "amount":  # a proof, kept only as its digest: not shown again
                assert input_value(previous_page, field) == "", (slug, field)
            else:
                assert input_value(previous_page, field) == value, (slug, field)


@pytest.mark.parametrize("stop", range(7))
def test_abandon_at_any_step_forgets_everything_and_returns_home(client, stop):
    card = person_create()
    pages = card_pages(card)
    for slug, data in pages[:stop]:
        answer(client, slug, data)
    response = client.post(reverse("signup:abandon"))
    assert response.headers["Location"] == reverse("core:home")
    assert SESSION_KEY not in client.session
    home = client.get(reverse("core:home")).content.decode()
    assert "Votre inscription est abandonnée" in home
    # What was entered is gone: the next step is closed again.
    later = pages[min(stop, 6)][0]
    if later != "profil":
        assert client.get(url(later)).headers["Location"] == reverse("signup:start")
    assert not User.objects.exists()
    if stop:
        abandon = FunnelCount.objects.get(event=FunnelCount.Event.ABANDON)
        assert (abandon.profile, abandon.count) == ("particulier", 1)


def test_abandon_needs_a_post(client):
    assert client.get(reverse("signup:abandon")).status_code == 405


# --- Order and tampering -----------------------------------------------------------------


def test_posting_the_last_step_directly_is_refused(client):
    response = client.post(url("conditions"))
    assert response.headers["Location"] == reverse("signup:start")
    assert not User.objects.exists() and not SignupRequest.objects.exists()
    assert client.get(reverse("signup:done")).headers["Location"] == reverse("signup:start")


def test_a_skipped_step_is_refused(client):
    card = person_create()
    pages = card_pages(card)
    for slug, data in pages[:3]:
        answer(client, slug, data)
    # Straight to the serial number without answering the health question.
    response = client.post(url("numero-de-serie"), {"serial": card.serial})
    assert response.headers["Location"] == url("verification")
    assert "numero-de-serie" not in client.session[SESSION_KEY]["answers"]


def test_a_page_of_another_branch_is_refused(client):
    card = person_create()
    pages = card_pages(card)  # the Vitale branch
    for slug, data in pages[:-2]:
        answer(client, slug, data)
    response = client.post(url("montant"), {"amount": "123,45"})
    assert response.status_code == 302
    assert "montant" not in client.session[SESSION_KEY]["answers"]


def test_forged_fields_are_ignored(client):
    card = person_create()
    pages = card_pages(card)
    for slug, data in pages[:5]:
        answer(client, slug, data)
    answer(
        client,
        "numero-de-serie",
        {"serial": "99999999999", "serial_digest": "0" * 64, "profile": "entreprise"},
    )
    stored = client.session[SESSION_KEY]["answers"]
    assert stored["profil"] == {"profile": "particulier"}
    assert stored["numero-de-serie"]["serial_digest"] != "0" * 64
    for slug, data in pages[6:]:
        answer(client, slug, data)
    assert User.objects.get().channel == User.Channel.POST  # the wrong serial typed


def test_changing_the_profile_to_entreprise_after_step_4_starts_afresh(client):
    card = person_create()
    pages = card_pages(card)
    for slug, data in pages[:-1]:
        answer(client, slug, data)
    answer(client, "profil", {"profile": "entreprise"})
    response = client.post(url("conditions"))
    assert response.headers["Location"] == url("entreprise-identifiant")
    assert set(client.session[SESSION_KEY]["answers"]) == {"profil"}
    assert not User.objects.exists()


def test_changing_to_a_profile_the_person_does_not_hold_after_step_4(client):
    card = person_create(profils="particulier")
    pages = card_pages(card)
    for slug, data in pages[:-1]:
        answer(client, slug, data)
    answer(client, "profil", {"profile": "exploitant"})
    # The other answers still stand; the registry does not give this profile.
    answer(client, "conditions")
    assert not User.objects.exists()
    assert SignupRequest.objects.get().profile == "exploitant"


def test_a_nir_changed_after_the_date_of_birth_is_caught_at_the_end(client):
    card = person_create()
    other = person_create(birth_date=card.birth_date.replace(year=1990))
    pages = card_pages(card)
    for slug, data in pages[:-1]:
        answer(client, slug, data)
    answer(client, "identifiant", {"nir": other.nir})
    # Back to the end through the pages already answered, then « Finaliser ».
    response = client.post(url("conditions"))
    assert response.headers["Location"] == url("coordonnees")
    page = client.get(url("coordonnees")).content.decode()
    assert field_error(page, "birth_date").startswith("La date de naissance ne correspond pas")
    assert input_value(page, "birth_date") == card.birth_date_typed
    assert not User.objects.exists()


# --- What the session holds --------------------------------------------------------------


def test_the_session_never_holds_a_proof_in_clear(client):
    card = person_create()
    for proof in ("vitale", "iban", "amount"):
        pages = card_pages(card, proof=proof)
        for slug, data in pages[:-1]:
            answer(client, slug, data)
        raw = str(client.session[SESSION_KEY])
        assert card.serial not in raw and card.iban not in raw and IBAN[4:] not in raw
        # The last payment (123,45) neither, in any writing.
        assert "123,45" not in raw and "123.45" not in raw
        client.post(reverse("signup:abandon"))


def test_nothing_entered_remains_after_completion(client):
    card = person_create()
    register_person(client, card)
    session = client.session
    assert SESSION_KEY not in session
    assert card.nir not in str(dict(session.items()))
    assert session["signup_done"]["page"] == "email"


def test_an_hour_without_activity_forgets_everything(client):
    card = person_create()
    pages = card_pages(card)
    for slug, data in pages[:3]:
        answer(client, slug, data)
    assert client.session.get_expiry_age() == 3600
    session = client.session
    session[SESSION_KEY]["touched"] = time.time() - 3601
    session.save()
    response = client.get(url("verification"))
    assert response.headers["Location"] == reverse("signup:start")
    assert SESSION_KEY not in client.session


def test_a_secret_already_given_may_be_kept_without_typing_it_again(client):
    card = person_create()
    pages = card_pages(card)
    for slug, data in pages[:6]:
        answer(client, slug, data)
    page = client.get(url("numero-de-serie")).content.decode()
    assert input_value(page, "serial") == ""
    assert "laissez le champ vide pour la garder" in text(page)
    answer(client, "numero-de-serie", {"serial": ""})
    for slug, data in pages[6:]:
        answer(client, slug, data)
    assert User.objects.get().channel == User.Channel.EMAIL


# --- Funnel ------------------------------------------------------------------------------


def test_each_step_is_counted_once_per_run(client):
    card = person_create()
    pages = card_pages(card)
    for slug, data in pages:
        client.get(url(slug))
        client.get(url(slug))
        answer(client, slug, data)
    steps = {(f.step, f.profile): f.count for f in FunnelCount.objects.filter(event="step")}
    assert steps == {
        (1, ""): 1,
        (2, "particulier"): 1,
        (3, "particulier"): 1,
        (4, "particulier"): 1,
        (5, "particulier"): 1,
        (6, "particulier"): 1,
    }


# --- Help pages and language -------------------------------------------------------------


def test_help_pages_keep_what_was_typed(client):
    card = person_create()
    pages = card_pages(card)
    walk_until(client, pages, "identifiant")
    help_page = client.get(reverse("signup:help_nir")).content.decode()
    words = text(help_page)
    for where in ("carte Vitale", "attestation de droits", "bulletin de salaire", "05 90 27 60 60"):
        assert where in words
    assert f'href="{url("identifiant")}"' in help_page  # « Revenir à mon inscription »

    page = walk_until(client, pages, "numero-de-serie")
    assert f'href="{reverse("signup:help_serial")}"' in page
    help_page = client.get(reverse("signup:help_serial")).content.decode()
    words = text(help_page)
    assert "avec photo" in words and "sans photo" in words and "IBAN" in words
    assert f'href="{url("numero-de-serie")}"' in help_page
    back = client.get(url("coordonnees")).content.decode()
    assert input_value(back, "last_name") == card.nom


def test_the_language_switch_keeps_the_person_on_the_same_step(client):
    card = person_create()
    walk_until(client, card_pages(card), "verification")
    response = client.post("/i18n/setlang/", {"language": "en", "next": url("verification")})
    assert response.headers["Location"] == url("verification")
    page = client.get(url("verification")).content.decode()
    assert '<html lang="en">' in page
    assert 'name="affiliated"' in page
    back = client.get(url("coordonnees")).content.decode()
    assert input_value(back, "last_name") == card.nom


# --- Companies and « Autre » -------------------------------------------------------------


def test_a_company_is_asked_its_siret_contact_and_employer_account(client):
    company = company_create()
    pages = company_pages(siret=company.siret, account=company.employer_account)
    page = walk_until(client, pages, "entreprise-identifiant")
    assert "Numéro SIRET" in text(page) and 'inputmode="numeric"' in page
    page = walk_until(client, pages, "entreprise-coordonnees")
    assert "Date de naissance" not in text(page)
    page = walk_until(client, pages, "entreprise-verification")
    words = text(page)
    assert "Numéro de compte employeur" in words and "Je ne l'ai pas" in words
    response = client.post(url("entreprise-verification"), {"account": "EMP 1", "no_account": "on"})
    assert "pas les deux" in field_error(response.content.decode(), "account")


def test_autre_explains_each_function_and_sends_a_contact_request(client):
    answer(client, "profil", {"profile": "autre"})
    page = client.get(url("autre-fonction")).content.decode()
    assert "Préciser votre fonction" in text(page)
    instructions = {
        "tiers_declarant": "espace privé de l'entreprise elle-même",
        "mandataire": "copie du jugement",
        "professionnel_sante": "professionnels de santé",
        "autre": "Décrivez votre situation",
    }
    for function, words in instructions.items():
        answer(client, "autre-fonction", {"function": function})
        assert words in text(client.get(url("autre-demande")).content.decode()), function
    answer(
        client,
        "autre-demande",
        {
            "last_name": "Hodge",
            "first_name": "Anne",
            "email": "anne@cabinet.example",
            "mobile": "",
            "organisation": "Cabinet <b>Hodge</b> & associés",
            "message": "Bonjour,\nje déclare pour 12 entreprises.\n'; DROP TABLE users; --",
        },
    )
    assert client.get(reverse("signup:other_sent")).status_code == 200
    request = SignupRequest.objects.get()
    assert request.kind == SignupRequest.Kind.OTHER
    assert request.function == "autre"
    assert request.organisation == "Cabinet <b>Hodge</b> & associés"
    assert request.message.endswith("'; DROP TABLE users; --")
    assert SESSION_KEY not in client.session
    complete = FunnelCount.objects.get(event="complete")
    assert (complete.profile, complete.channel) == ("autre", "review")


# --- Cost: a step is little more than a bare page (docs/product.md §9) ----------------------------


def test_showing_a_step_only_reads_the_session(client, django_assert_num_queries):
    card = person_create()
    pages = card_pages(card)
    for slug, data in pages[:2]:
        answer(client, slug, data)
    with django_assert_num_queries(1):  # the session, read
        assert client.get(url("coordonnees")).status_code == 200


def test_answering_a_step_writes_the_session_and_the_funnel_once(client):
    card = person_create()
    pages = card_pages(card)
    for slug, data in pages[:3]:  # today's counter of step 4 exists from now on
        answer(client, slug, data)
    client.post(reverse("signup:abandon"))
    for slug, data in pages[:2]:
        answer(client, slug, data)
    with CaptureQueriesContext(connection) as queries:
        answer(client, *pages[2])
    statements = [
        q["sql"].split()[0] + " " + q["sql"].split('"')[1]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))  # the test's own transaction
    ]
    assert statements == [
        "SELECT django_session",
        "INSERT signup_funnelcount",  # INSERT … ON CONFLICT DO UPDATE: one statement
        "UPDATE django_session",
    ]


def test_the_funnel_counts_each_event_in_its_own_row_of_the_day(db):
    from signup.services import funnel_record

    for _ in range(3):
        funnel_record(event=FunnelCount.Event.STEP, profile="particulier", step=2)
    funnel_record(event=FunnelCount.Event.STEP, profile="particulier", step=3)
    funnel_record(event=FunnelCount.Event.COMPLETE, profile="particulier", channel="email")
    counts = {
        (row.event, row.step, row.channel): row.count
        for row in FunnelCount.objects.filter(day=timezone.localdate(), profile="particulier")
    }
    assert counts == {("step", 2, ""): 3, ("step", 3, ""): 1, ("complete", 0, "email"): 1}


def test_a_step_showing_the_nir_again_is_never_cached(client):
    card = person_create()
    pages = card_pages(card)
    for slug, data in pages[:2]:
        answer(client, slug, data)
    response = client.get(url("identifiant"))  # « < Précédent »: the NIR is shown again
    assert card.nir[:13] in response.content.decode().replace(" ", "")
    assert "no-store" in response["Cache-Control"]


def test_a_page_that_no_longer_holds_together_is_shown_again_with_its_errors(client):
    """The NIR changed after the date of birth was typed: the final check sends the person
    back to the contact page, their answers shown with what is wrong."""
    from identity import make_nir

    from .walk import person_pages

    card = person_create()
    pages = person_pages(
        nir=card.nir, nom=card.nom, prenom=card.prenom, birth_date=card.birth_date_typed,
        secret=card.serial,
    )  # fmt: skip
    for slug, data in pages[:-1]:  # all but « Valider »
        answer(client, slug, data)
    born_1990 = make_nir(sex=2, year=1990, month=7, department="977", commune="01", order=7)
    answer(client, "identifiant", {"nir": born_1990[:13]})
    for slug, data in pages[3:-1]:
        answer(client, slug, data)

    response = client.post(url("conditions"), {})
    assert response.status_code == 302 and response["Location"] == url("coordonnees")
    page = client.get(url("coordonnees"))
    form = page.context["form"]
    assert form.errors, "the contact page is shown with its errors"
    assert f'value="{card.birth_date_typed}"' in page.content.decode()
    assert not User.objects.exists()
