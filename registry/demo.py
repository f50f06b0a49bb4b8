"""A synthetic extract of the fund's registry, for demos, tests and benchmarks (docs/product.md §6).

Deterministic for a given seed. The people are invented; their NIRs have the right structure
and key (identity.make_nir), their IBANs and SIRETs the right check digits. Printing their
identifiers for a demo is fine; the import still stores them only as digests.
"""

import datetime
import random
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from stdnum import iban as stdnum_iban

from identity import PHOTO_PREFIX, PHOTO_SHORT_DIGITS, format_siret, is_fictitious_month, make_nir
from registry.lines import COLUMNS, COMPANIES, PERSONS, PROFILES

SAINT_BARTHELEMY = ("97133", "SAINT-BARTHELEMY")
# Lieux-dits and quarters of the island: the address's line 5 (NF Z10-011).
ISLAND_PLACES = (
    "Gustavia", "Lorient", "Saint-Jean", "Colombier", "Flamands", "Corossol", "Public",
    "Marigot", "Grand Cul-de-Sac", "Petit Cul-de-Sac", "Vitet", "Toiny", "Grand Fond",
    "Saline", "Gouverneur", "Lurin", "Anse des Cayes", "Merlette", "Camaruche", "Devet",
    "Pointe Milou", "Mont Jean", "Anse des Lézards",
)  # fmt: skip
GUSTAVIA_STREETS = (
    "rue du Roi Oscar II", "rue de la République", "rue Jeanne d'Arc", "rue Samuel Fahlberg",
    "rue du Général de Gaulle", "rue Victor Hugo", "quai de la République", "rue des Marins",
    "rue Auguste Nyman", "rue Lafayette", "rue du Bord de Mer", "rue de la Paix",
)  # fmt: skip
ISLAND_BUILDINGS = (
    "Villa Les Alizés", "Villa Ti Paradis", "Résidence Les Tamariniers", "Case Créole",
    "Villa Bougainvillée", "Résidence L'Hibiscus", "Villa Caraïbes", "Les Jardins de Lorient",
)  # fmt: skip
MAINLAND_TOWNS = (
    ("75011", "PARIS"), ("69003", "LYON"), ("13008", "MARSEILLE"), ("33000", "BORDEAUX"),
    ("31000", "TOULOUSE"), ("44000", "NANTES"), ("35000", "RENNES"), ("20000", "AJACCIO"),
    ("20200", "BASTIA"), ("59000", "LILLE"), ("67000", "STRASBOURG"), ("29200", "BREST"),
    ("64100", "BAYONNE"), ("06000", "NICE"), ("34000", "MONTPELLIER"), ("97110", "POINTE-A-PITRE"),
    ("97150", "SAINT-MARTIN"), ("85100", "LES SABLES-D'OLONNE"), ("22300", "LANNION"),
)  # fmt: skip
MAINLAND_STREETS = (
    "rue de la Paix", "avenue Jean Jaurès", "boulevard Gambetta", "impasse des Lilas",
    "chemin des Vignes", "place de l'Église", "allée des Érables", "rue Émile Zola",
    "route de Saint-Malo", "rue du Général Leclerc", "quai des Chartrons", "rue d'Alsace",
)  # fmt: skip
COMPLEMENTS = (
    "Appartement 12", "Chez Mme Lédée", "Appartement 3, 2e étage", "Chez M. Questel",
    "Boîte aux lettres 7",
)  # fmt: skip
ABROAD_ADDRESSES = (
    ("1000", "BRUXELLES", "BELGIQUE", "12 rue Royale"),
    ("1201", "GENEVE", "SUISSE", "3 rue du Mont-Blanc"),
    ("H2X 1Y4", "MONTREAL", "CANADA", "450 rue Sherbrooke Est"),
    ("10115", "BERLIN", "ALLEMAGNE", "7 Invalidenstraße"),
)
LAST_NAMES = (
    "Gréaux", "Lédée", "Magras", "Questel", "Brin", "Bernier", "Aubin", "Laplace", "Danet",
    "Blanchard", "Turbé", "Berry", "Ledée-Gréaux", "Martin", "Bernard", "Dubois", "Lefèvre",
    "Girard", "Mercier", "Fontaine", "Chevalier", "Lambert", "Rousseau", "N'Diaye",
    "D'Almeida", "Le Goff", "Saint-Just", "Lemoine-Durand", "Éluard", "Bégué", "Nœl",
    "De La Fontaine", "O'Neill", "Hoarau", "Ménard", "Désiré", "Château", "L'Hermite",
)  # fmt: skip
FIRST_NAMES = {
    1: ("Jean", "Jérôme", "Loïc", "Noël", "François", "Raphaël", "Joël", "Jean-Pierre",
        "Pierre", "Hervé", "Benoît", "Gaël", "André", "Mathéo", "Théo", "Jean-Baptiste"),
    2: ("Marie", "Hélène", "Éloïse", "Gaëlle", "Chloé", "Zoé", "Anaïs", "Maëlle", "Amélie",
        "Renée", "Céline", "Cécile", "Thérèse", "Inès", "Marie-Hélène", "Anne-Sophie"),
}  # fmt: skip
# Places of birth: (department, commune) as make_nir takes them, with their weight.
BIRTH_PLACES = (
    (("977", "01"), 30),  # Saint-Barthélemy since 2007
    (("971", "23"), 15),  # Saint-Barthélemy when it was a commune of Guadeloupe
    (("971", "20"), 3),  # Pointe-à-Pitre
    (("972", "09"), 2),  # Fort-de-France
    (("974", "11"), 1),  # Saint-Denis de La Réunion
    (("75", "111"), 8),
    (("69", "383"), 3),
    (("13", "208"), 3),
    (("33", "063"), 3),
    (("35", "238"), 2),
    (("2A", "004"), 2),  # Ajaccio
    (("2B", "033"), 2),  # Bastia
    (("99", "109"), 2),  # born in Germany
    (("99", "131"), 2),  # Belgium
    (("99", "132"), 1),  # United Kingdom
    (("99", "139"), 1),  # Portugal
    (("99", "350"), 1),  # Morocco
    (("99", "401"), 1),  # Canada
    (("99", "404"), 2),  # United States
)
BANKS = ("30006", "30004", "20041", "10107", "11315", "17515", "30003", "10278")
COMPANY_NAMES = (
    "SARL Les Jardins de Lorient", "EURL Plomberie Saint-Jean", "SAS L'Anse des Cayes",
    "Hôtel Le Toiny", "Boulangerie de Gustavia", "SCEA Domaine des Flamands",
    "SARL Électricité Caraïbes", "Pêcherie de Corossol", "SAS Béton Saint-Barth",
    "Menuiserie Lédée & Fils", "SARL Côté Jardin", "Épicerie de Colombier",
)  # fmt: skip
DEMO_MAIL_DOMAINS = ("example.org", "example.com", "example.net")


# The first persons, made to show each path of the registration (see identities_text).
SHOWCASE = (
    dict(affilie="oui", carte="photo", held="full", iban=False, paiement=False,
         place=("977", "01")),
    dict(affilie="non", carte="", iban=True, paiement=False, place=("971", "23")),
    dict(affilie="non", carte="", iban=False, paiement=True, place=("2A", "004")),
    dict(affilie="non", carte="", iban=False, paiement=False, place=("75", "111")),
    dict(sex=2, affilie="oui", carte="sans_photo", iban=True, paiement=True, place=("99", "109")),
    dict(affilie="oui", carte="photo", held="short", iban=False, paiement=False,
         place=("971", "23")),
)  # fmt: skip
# How the fund's file may hold a photo card's number (docs/product.md §6): whole, or the digits
# after the prefix, with or without the spaces of the printed card.
SERIAL_FORMS = ("full", "full", "short", "full_spaced", "short_spaced")


@dataclass
class DemoRegistry:
    """What a written extract needs remembered: the identities to try with it."""

    seed: int
    showcase: list = field(default_factory=list)
    company: dict = field(default_factory=dict)
    unknown_nir: str = ""


def write(
    *,
    count: int,
    seed: int,
    persons_path: Path,
    companies_path: Path | None = None,
    companies: int | None = None,
) -> DemoRegistry:
    """Write ``count`` persons (at least the showcased ones) and, if asked, their companies.

    Lines are written as they are made, so millions of them take little memory (only the
    NIRs already given are remembered, to give none twice).
    """
    rng = random.Random(seed)
    registry = DemoRegistry(seed=seed)
    used: set[str] = set()
    with _writer(persons_path, PERSONS) as write_row:
        for index in range(max(count, len(SHOWCASE))):
            wished = SHOWCASE[index] if index < len(SHOWCASE) else {}
            person = _person(rng, index, used, **wished)
            if index < len(SHOWCASE):
                registry.showcase.append(person)
            write_row(person)
    if companies_path is not None:
        company_count = companies if companies is not None else max(5, count // 20)
        with _writer(companies_path, COMPANIES) as write_row:
            for index in range(max(company_count, 1)):
                company = _company(rng, index)
                registry.company = registry.company or company
                write_row(company)
    registry.unknown_nir = _nir(rng, used, place=("977", "01"))
    return registry


@contextmanager
def _writer(path: Path, kind: str):
    columns = COLUMNS[kind]
    with open(path, "w", encoding="utf-8", newline="") as file:
        file.write(";".join(columns) + "\n")
        yield lambda row: file.write(";".join([row[column] for column in columns]) + "\n")


def grouped_nir(nir: str) -> str:
    """The 13 first characters as printed on a carte Vitale: "1 85 05 97 701 123"."""
    return f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} {nir[10:13]}"


def identities_text(registry: DemoRegistry) -> str:
    """The demo identities to try, in French, with the answers that verify them."""
    first, iban_person, paid, postal, both, short = registry.showcase
    company = registry.company
    siret, account = format_siret(company["siret"]), company["numero_compte_employeur"]
    lines = [
        f"Identités de démonstration (registre synthétique, graine {registry.seed}) :",
        "À l'étape 3, indiquez n'importe quelle adresse email : le courrier arrive dans la "
        "boîte de démonstration. Mobile : par exemple 0690 12 34 56.",
        "",
        "1. Mot de passe par email, vérifié par la carte Vitale (avec photo)",
        *_person_lines(first),
        *_photo_card_lines(first),
        "   (le registre tient le numéro en entier)",
        "",
        "1 bis. Mot de passe par email, carte Vitale avec photo tenue sous sa forme courte",
        *_person_lines(short),
        *_photo_card_lines(short),
        "   (le registre tient seulement les 11 chiffres qui suivent 802500002)",
        "",
        "2. Mot de passe par email, vérifié par l'IBAN",
        *_person_lines(iban_person),
        f"   Affilié(e) à la MSA pour la santé : Non ; IBAN : {_spaced(iban_person['iban'])}",
        "",
        "3. Mot de passe par email, vérifié par le montant du dernier paiement",
        *_person_lines(paid),
        "   Affilié(e) à la MSA pour la santé : Non ; dernier paiement reçu : "
        f"{paid['dernier_paiement']} €",
        "",
        "4. Mot de passe par courrier (aucune information de vérification)",
        *_person_lines(postal),
        "   Affilié(e) à la MSA pour la santé : Non ; « je n'ai aucune de ces informations »",
        "",
        "5. Née à l'étranger, carte Vitale sans photo",
        *_person_lines(both),
        "   Affilié(e) à la MSA pour la santé : Oui ; carte Vitale sans photo ; "
        f"numéro de série : {both['numero_serie_vitale']}",
        "",
        "6. Entreprise",
        f"   SIRET : {siret} ; raison sociale : {company['raison_sociale']}",
        f"   Numéro de compte employeur : {account}",
        "",
        "7. Numéro inconnu du registre : la demande part à l'examen des agents, réponse par "
        "courrier",
        f"   Numéro de Sécurité Sociale : {grouped_nir(registry.unknown_nir)} ; nom et date de "
        "naissance au choix",
    ]
    return "\n".join(lines) + "\n"


def printed_serial(held: str) -> str:
    """A photo card's number as it reads on the card: the prefix, then the card's 11 digits."""
    digits = held.replace(" ", "")
    return f"{PHOTO_PREFIX} {digits.removeprefix(PHOTO_PREFIX)}"


def _photo_card_lines(person: dict) -> list[str]:
    printed = printed_serial(person["numero_serie_vitale"])
    return [
        "   Affilié(e) à la MSA pour la santé : Oui ; carte Vitale avec photo ; "
        f"numéro imprimé sur la carte : {printed}",
        f"   À l'écran, {PHOTO_PREFIX} est déjà affiché : tapez {printed.split()[1]}, ou le "
        "numéro en entier",
    ]


def _person_lines(person: dict) -> list[str]:
    born = datetime.date.fromisoformat(person["date_naissance"])
    profile = {
        "particulier": "Particulier",
        "exploitant": "Exploitant agricole",
        "employeur_jardinier": "Employeur de jardinier en tant que particulier",
        "cotisant_solidarite": "Cotisant de solidarité",
    }[person["profils"].split(",")[0]]
    lines = [
        f"   Profil : {profile}",
        f"   Numéro de Sécurité Sociale : {grouped_nir(person['nir'])}",
        f"   Nom : {person['nom']} ; prénom : {person['prenoms'].split(',')[0].strip()} ; "
        f"date de naissance : {born:%d/%m/%Y}",
    ]
    if is_fictitious_month(int(person["nir"][3:5])):
        lines.append(
            f"   (mois {person['nir'][3:5]} dans le numéro : un mois fictif, l'état civil ne "
            "donnait pas le mois de naissance)"
        )
    return lines


def _spaced(text: str) -> str:
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _person(
    rng,
    index,
    used,
    *,
    sex=None,
    affilie=None,
    carte=None,
    held=None,
    iban=None,
    paiement=None,
    place=None,
):
    sex = sex or rng.choice((1, 2))
    nir = _nir(rng, used, sex=sex, place=place)
    month = int(nir[3:5])
    year = _century_year(int(nir[1:3]))
    if is_fictitious_month(month):
        month = rng.randint(1, 12)
    born = datetime.date(year, month, rng.randint(1, 28))
    first_names = rng.sample(FIRST_NAMES[sex], rng.choice((1, 1, 2, 3)))
    last_name = rng.choice(LAST_NAMES)
    if affilie is None:
        affilie = "oui" if rng.random() < 0.7 else "non"
    if carte is None:
        carte = (
            rng.choice(("photo", "photo", "photo", "sans_photo", "")) if affilie == "oui" else ""
        )
    if iban is None:
        iban = rng.random() < 0.6
    if paiement is None:
        paiement = rng.random() < 0.5
    on_island = nir[5:8] in ("977", "971") or rng.random() < 0.3
    email = ""
    if index < len(SHOWCASE) or rng.random() < 0.7:
        email = (
            f"{_ascii(first_names[0])}.{_ascii(last_name)}{index}@{rng.choice(DEMO_MAIL_DOMAINS)}"
        )
    return {
        "nir": nir,
        "nom": last_name.upper() if rng.random() < 0.5 else last_name,
        "prenoms": ", ".join(first_names),
        "date_naissance": born.isoformat(),
        **_address(rng, on_island),
        "email": email,
        "mobile": _mobile(rng, on_island) if rng.random() < 0.6 else "",
        "affilie_sante": affilie,
        "carte_vitale": carte,
        "numero_serie_vitale": _serial(rng, carte, held),
        "iban": _iban(rng) if iban else "",
        "dernier_paiement": _amount(rng) if paiement else "",
        "profils": _profiles(rng) if index >= len(SHOWCASE) else "particulier",
    }  # fmt: skip


def _serial(rng, carte: str, held: str | None) -> str:
    """The card's number in a form the fund's file may hold it (docs/product.md §6)."""
    if carte == "sans_photo":
        return str(rng.randint(10**8, 10**10 - 1))
    if carte != "photo":
        return ""
    short = f"{rng.randint(0, 10**PHOTO_SHORT_DIGITS - 1):0{PHOTO_SHORT_DIGITS}d}"
    held = held or rng.choice(SERIAL_FORMS)
    full = PHOTO_PREFIX + short
    return {
        "full": full,
        "short": short,
        "full_spaced": " ".join(full[i : i + 4] for i in range(0, len(full), 4)),
        "short_spaced": f"{short[:3]} {short[3:7]} {short[7:]}",
    }[held]


def _nir(rng, used, *, sex=None, place=None) -> str:
    """A keyed NIR whose 13 first characters no other demo person has."""
    places, weights = zip(*BIRTH_PLACES, strict=True)
    while True:
        department, commune = place or rng.choices(places, weights)[0]
        year = rng.randint(1935, 2006)
        # A few people born abroad got a fictitious month from INSEE (20 and over).
        month = 20 if department == "99" and rng.random() < 0.15 else rng.randint(1, 12)
        nir = make_nir(
            sex=sex or rng.choice((1, 2)),
            year=year,
            month=month,
            department=department,
            commune=commune,
            order=rng.randint(1, 999),
        )
        if nir[:13] not in used:
            used.add(nir[:13])
            return nir


def _century_year(two_digits: int) -> int:
    return 1900 + two_digits if two_digits >= 30 else 2000 + two_digits


def _address(rng, on_island: bool) -> dict:
    empty = {f"adresse_{n}": "" for n in (2, 3, 4, 5)}
    if on_island:
        place = rng.choice(ISLAND_PLACES)
        address = {**empty, "adresse_5": place}
        if place == "Gustavia":
            address["adresse_4"] = f"{rng.randint(1, 40)} {rng.choice(GUSTAVIA_STREETS)}"
        elif rng.random() < 0.6:
            address["adresse_3"] = rng.choice(ISLAND_BUILDINGS)
        if rng.random() < 0.15:
            address["adresse_5"] = f"BP {rng.randint(100, 1999)}"
            address["adresse_4"] = address["adresse_4"] or f"Lieu-dit {place}"
        if rng.random() < 0.1:
            address["adresse_2"] = rng.choice(COMPLEMENTS)
        postcode, town = SAINT_BARTHELEMY
        return {**address, "code_postal": postcode, "commune": town, "pays": ""}
    if rng.random() < 0.05:
        postcode, town, country, street = rng.choice(ABROAD_ADDRESSES)
        return {
            **empty,
            "adresse_4": street,
            "code_postal": postcode,
            "commune": town,
            "pays": country,
        }
    postcode, town = rng.choice(MAINLAND_TOWNS)
    number = rng.randint(1, 120)
    suffix = rng.choice(("", "", "", " bis", " ter"))
    address = {**empty, "adresse_4": f"{number}{suffix} {rng.choice(MAINLAND_STREETS)}"}
    if rng.random() < 0.2:
        address["adresse_2"] = rng.choice(COMPLEMENTS)
    if rng.random() < 0.15:
        address["adresse_3"] = f"Bâtiment {rng.choice('ABCDE')}"
    return {**address, "code_postal": postcode, "commune": town, "pays": ""}  # fmt: skip


def _mobile(rng, on_island: bool) -> str:
    if on_island:
        # 0690 and 0691 2x/3x are Saint-Barthélemy's (and Guadeloupe's) mobile ranges.
        return f"0690 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    # Typed with the country code: without it, the default region (BL) would not fit.
    # Mainland mobiles: 06 (not 063 9x, 069x) and 073 to 079.
    prefix = rng.choice(("6 " + rng.choice("0124578"), "7 " + rng.choice("3456789")))
    rest = " ".join(f"{rng.randint(0, 99):02d}" for _ in range(3))
    return f"+33 {prefix}{rng.randint(0, 9)} {rest}"


def _iban(rng) -> str:
    bank, branch, account = (
        rng.choice(BANKS),
        f"{rng.randint(1, 99999):05d}",
        f"{rng.randint(0, 10**11 - 1):011d}",
    )
    rib_key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{rib_key:02d}"
    return f"FR{stdnum_iban.calc_check_digits('FR00' + bban)}{bban}"  # fmt: skip


def _amount(rng) -> str:
    euros, cents = rng.randint(5, 2500), rng.randint(0, 99)
    return f"{euros},{cents:02d}" if rng.random() < 0.7 else f"{euros}.{cents:02d}"


def _profiles(rng) -> str:
    draw = rng.random()
    if draw < 0.75:
        return "particulier"
    if draw < 0.85:
        return "exploitant"
    if draw < 0.91:
        return "employeur_jardinier"
    if draw < 0.95:
        return "cotisant_solidarite"
    return ",".join(rng.sample(PROFILES, 2))


def _company(rng, index: int) -> dict:
    siren = _with_luhn(f"{rng.randint(10**7, 10**8 - 1):08d}")
    while siren == "356000000":  # La Poste's SIREN follows another rule
        siren = _with_luhn(f"{rng.randint(10**7, 10**8 - 1):08d}")
    siret = _with_luhn(f"{siren}{rng.randint(1, 9):03d}0")
    address = _address(rng, on_island=rng.random() < 0.8)
    name = COMPANY_NAMES[index % len(COMPANY_NAMES)]
    if index >= len(COMPANY_NAMES):
        name = f"{name} {index // len(COMPANY_NAMES) + 1}"
    return {
        "siret": siret,
        "raison_sociale": name,
        **address,
        "email": f"contact{index}@{rng.choice(DEMO_MAIL_DOMAINS)}" if rng.random() < 0.8 else "",
        "numero_compte_employeur": f"977 {rng.randint(0, 9999999):07d}",
    }


def _with_luhn(digits: str) -> str:
    """Append the digit that makes the Luhn sum a multiple of 10 (SIREN, SIRET)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (1 if position % 2 else 2)
        total += value - 9 if value > 9 else value
    return digits + str(-total % 10)


_ASCII = str.maketrans({"'": "", " ": "", "œ": "oe", "Œ": "oe"})


def _ascii(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.translate(_ASCII))
    return "".join(c for c in decomposed if c.isascii()).lower()
