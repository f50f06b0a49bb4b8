"""`manage.py make_demo_payments`: synthetic payments and contributions for the demo registry."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from payments import demo


class Command(BaseCommand):
    help = (
        "Write synthetic extracts of payments and contributions for the persons and companies "
        "of a demo registry (make_demo_registry's files). Deterministic for a seed and a day."
    )

    def add_arguments(self, parser):
        var = Path(settings.BASE_DIR) / "var"
        parser.add_argument("--registry", default=str(var / "demo-registry.csv"))
        parser.add_argument("--companies", default=str(var / "demo-companies.csv"))
        parser.add_argument("--payments-out", default=str(var / "demo-payments.csv"))
        parser.add_argument("--contributions-out", default=str(var / "demo-contributions.csv"))
        parser.add_argument("--seed", type=int, default=977)

    def handle(self, *args, registry, companies, payments_out, contributions_out, seed, **options):
        if not Path(registry).is_file():
            raise CommandError(_("Fichier introuvable : %(path)s") % {"path": registry})
        companies_path = Path(companies) if Path(companies).is_file() else None
        try:
            payments, contributions = demo.write(
                persons_path=Path(registry),
                companies_path=companies_path,
                payments_path=Path(payments_out),
                contributions_path=Path(contributions_out),
                seed=seed,
            )
        except OSError as error:
            raise CommandError(_("Écriture impossible : %(error)s") % {"error": error}) from None
        self.stdout.write(
            _(
                "Extraits de démonstration : %(payments)s paiements dans %(payments_out)s, "
                "%(contributions)s cotisations dans %(contributions_out)s."
            )
            % {
                "payments": payments,
                "payments_out": payments_out,
                "contributions": contributions,
                "contributions_out": contributions_out,
            }
        )
