"""`make run`'s preparation: a demo registry, generated and imported when the registry is empty;
then the demo's payments and contributions when there are none. Each app makes its own demo
extract (`make_demo_registry`, `make_demo_payments`); this command, above them all, runs them."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from payments.models import Contribution, Payment
from registry.models import Person


class Command(BaseCommand):
    help = "Generate and import a demo registry if the registry is empty (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=2000)

    def handle(self, *args, count, **options):
        var = Path(settings.BASE_DIR) / "var"
        var.mkdir(exist_ok=True)
        persons, companies = var / "demo-registry.csv", var / "demo-companies.csv"
        if Person.objects.exists():
            self.stdout.write("The registry already has persons: nothing to import.")
        else:
            self._registry(var, persons, companies, count)
        if Payment.objects.exists() or Contribution.objects.exists():
            self.stdout.write("Payments or contributions are there: nothing to import.")
        elif persons.is_file():
            payments, contributions = var / "demo-payments.csv", var / "demo-contributions.csv"
            call_command(
                "make_demo_payments",
                registry=str(persons),
                companies=str(companies),
                payments_out=str(payments),
                contributions_out=str(contributions),
            )
            call_command("import_payments", str(payments))
            call_command("import_contributions", str(contributions))

    def _registry(self, var, persons, companies, count):
        call_command(
            "make_demo_registry",
            count=count,
            out=str(persons),
            companies_out=str(companies),
            identities_out=str(var / "demo-identities.txt"),
        )
        call_command("import_registry", str(persons))
        call_command("import_registry", companies=str(companies))
