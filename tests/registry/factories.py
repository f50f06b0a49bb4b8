"""Lines of the fund's extract for the tests: valid by default, any column overridden."""

from pathlib import Path

from stdnum import iban as stdnum_iban

from identity import make_nir
from registry.lines import COLUMNS, COMPANIES, PERSONS

PERSON_HEADER = ";".join(COLUMNS[PERSONS])
COMPANY_HEADER = ";".join(COLUMNS[COMPANIES])


def nir(order: int = 1, *, department: str = "977", commune: str = "01", month: int = 5) -> str:
    """A keyed NIR (15 characters) of a man born in May 1985 in Saint-Barthélemy."""
    return make_nir(
        sex=1, year=1985, month=month, department=department, commune=commune, order=order
    )


def iban(account: int = 1) -> str:
    """A French IBAN with a right RIB key and right check digits."""
    bank, branch, number = "30006", "00001", f"{account:011d}"
    rib_key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(number)) % 97
    bban = f"{bank}{branch}{number}{rib_key:02d}"
    return f"FR{stdnum_iban.calc_check_digits('FR00' + bban)}{bban}"


def siret(number: int = 1) -> str:
    """A SIRET whose SIREN and whole number pass the Luhn check."""
    siren = _with_luhn(f"{number:08d}")
    return _with_luhn(siren + "0001")


def _with_luhn(digits: str) -> str:
    for check in "0123456789":
        total = 0
        for position, char in enumerate(reversed(digits + check)):
            value = int(char) * (2 if position % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return digits + check
    raise AssertionError("unreachable")


def person(order: int = 1, **columns) -> dict:
    """The columns of one person, valid; keyword arguments replace columns."""
    values = {
        "nir": nir(order),
        "nom": "Gréaux",
        "prenoms": "Marie-Hélène, Louise",
        "date_naissance": "1985-05-12",
        "adresse_2": "",
        "adresse_3": "Villa Les Alizés",
        "adresse_4": "",
        "adresse_5": "Lorient",
        "code_postal": "97133",
        "commune": "SAINT-BARTHELEMY",
        "pays": "",
        "email": f"marie{order}@example.org",
        "mobile": "0690 12 34 56",
        "affilie_sante": "oui",
        "carte_vitale": "photo",
        # The whole number printed on a photo card: 802500002 and the card's own 11 digits.
        "numero_serie_vitale": f"802500002{order:011d}",
        "iban": iban(order),
        "dernier_paiement": "123,45",
        "profils": "particulier",
    }
    values.update(columns)
    return values


def company(number: int = 1, **columns) -> dict:
    values = {
        "siret": siret(number),
        "raison_sociale": "SARL L'Anse des Cayes",
        "adresse_2": "",
        "adresse_3": "",
        "adresse_4": "12 rue du Roi Oscar II",
        "adresse_5": "Gustavia",
        "code_postal": "97133",
        "commune": "SAINT-BARTHELEMY",
        "pays": "",
        "email": f"contact{number}@example.org",
        "numero_compte_employeur": f"977{number:07d}",
    }
    values.update(columns)
    return values


def line(values: dict, kind: str = PERSONS) -> str:
    return ";".join(values[column] for column in COLUMNS[kind])


def extract(
    path: Path, rows, *, kind: str = PERSONS, encoding: str = "utf-8", header: str | None = None
) -> Path:
    """Write an extract: the header, then each row (a dict of columns or a raw line)."""
    if header is None:
        header = PERSON_HEADER if kind == PERSONS else COMPANY_HEADER
    lines = [header] + [row if isinstance(row, str) else line(row, kind) for row in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def killed_import(**fields):
    """What an import killed outright leaves: its record « en cours » with the id of a process
    that is gone (and on PostgreSQL its lock released with it)."""
    import subprocess

    from registry.models import RegistryImport

    process = subprocess.Popen(["true"])  # noqa: S607 - its pid is surely free after
    process.wait()
    return RegistryImport.objects.create(
        **{"kind": "persons", "file_name": "extrait.csv", "pid": process.pid, **fields}
    )
