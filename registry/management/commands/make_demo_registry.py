"""`manage.py make_demo_registry`: a synthetic extract of persons and companies, and whom to try."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from registry import demo


class Command(BaseCommand):
    help = (
        "Write a realistic synthetic registry extract (persons and companies, valid NIRs, "
        "SIRETs and IBANs) and print demo identities to try. Deterministic for a given seed."
    )

    def add_arguments(self, parser):
        var = Path(settings.BASE_DIR) / "var"
        parser.add_argument("--count", type=int, default=2000, help="persons (default 2000)")
        parser.add_argument("--companies-count", type=int, default=None, help="companies")
        parser.add_argument("--seed", type=int, default=977, help="random seed (default 977)")
        parser.add_argument("--out", default=str(var / "demo-registry.csv"))
        parser.add_argument("--companies-out", default=str(var / "demo-companies.csv"))
        parser.add_argument("--identities-out", default=str(var / "demo-identities.txt"))

    def handle(
        self, *args, count, companies_count, seed, out, companies_out, identities_out, **options
    ):
        if count < 5:
            raise CommandError(
                _("--count : au moins 5 personnes (les identités de démonstration).")
            )
        if companies_count is not None and companies_count < 1:
            raise CommandError(_("--companies-count : au moins 1 entreprise."))
        paths = [Path(out), Path(companies_out), Path(identities_out)]
        try:
            for path in paths:
                path.parent.mkdir(parents=True, exist_ok=True)
            registry = demo.write(
                count=count,
                seed=seed,
                persons_path=paths[0],
                companies_path=paths[1],
                companies=companies_count,
            )
            text = demo.identities_text(registry)
            paths[2].write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(_("Écriture impossible : %(error)s") % {"error": error}) from None
        self.stdout.write(
            _(
                "Extrait de démonstration : %(persons)s personnes dans %(out)s, "
                "%(companies)s entreprises dans %(companies_out)s."
            )
            % {
                "persons": max(count, len(demo.SHOWCASE)),
                "out": paths[0],
                "companies": companies_count or max(5, count // 20),
                "companies_out": paths[1],
            }
        )
        self.stdout.write(text)
