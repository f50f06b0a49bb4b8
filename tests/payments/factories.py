"""Lines of the payments' and contributions' extracts, and registry persons to hold them."""

from pathlib import Path

from payments.lines import CONTRIBUTIONS, PAYMENTS
from registry.lines import COLUMNS
from registry.services import registry_import
from tests.registry import factories as registry_factories

PAYMENT_HEADER = ";".join(COLUMNS[PAYMENTS])
CONTRIBUTION_HEADER = ";".join(COLUMNS[CONTRIBUTIONS])


def payment(number: int = 1, *, order: int = 1, **columns) -> dict:
    """One payment of the person ``order`` of tests.registry.factories, valid."""
    values = {
        "nir": registry_factories.nir(order),
        "reference": f"PAI-{number:08d}",
        "date_paiement": "2025-03-05",
        "montant": "1234,56",
        "nature": "retraite",
        "libelle": "Pension de retraite de base",
        "periode_debut": "2025-02-01",
        "periode_fin": "2025-02-28",
    }
    values.update(columns)
    return values


def contribution(number: int = 1, *, identifiant: str | None = None, **columns) -> dict:
    values = {
        "identifiant": identifiant or registry_factories.nir(1),
        "reference": f"COT-{number:08d}",
        "periode": "2025-T1",
        "date_echeance": "2025-04-30",
        "montant_appele": "850,00",
        "montant_paye": "0",
        "statut": "a_payer",
    }
    values.update(columns)
    return values


def extract(path: Path, rows, *, kind: str = PAYMENTS, header: str | None = None) -> Path:
    """Write an extract: the header, then each row (a dict of columns or a raw line)."""
    if header is None:
        header = PAYMENT_HEADER if kind == PAYMENTS else CONTRIBUTION_HEADER
    lines = [header]
    for row in rows:
        lines.append(row if isinstance(row, str) else ";".join(row[c] for c in COLUMNS[kind]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def registry_with(tmp_path, *orders: int, companies: tuple[int, ...] = ()) -> None:
    """Import the registry's persons ``orders`` (and companies), as the fund would first."""
    persons = [registry_factories.person(order) for order in orders]
    registry_import(
        path=registry_factories.extract(tmp_path / "registry.csv", persons), kind="persons"
    )
    if companies:
        rows = [registry_factories.company(number) for number in companies]
        path = registry_factories.extract(tmp_path / "companies.csv", rows, kind="companies")
        registry_import(path=path, kind="companies")
