"""The last payment's amount kept as a keyed digest (docs/product.md §5), and the payments' and
contributions' extracts recorded with the registry's imports.

The amounts already held are digested here, with the deployment's IDENTITY_HMAC_KEY, so that
step 4's proof keeps working without a new import; then the amounts in clear are dropped.
Reversing restores the column empty: a digest cannot be turned back into an amount (the next
import of the persons' extract fills it again).
"""

from django.conf import settings
from django.db import migrations, models


def amounts_digest(apps, schema_editor):
    from identity import keyed_digester

    Person = apps.get_model("registry", "Person")
    digest = keyed_digester(settings.IDENTITY_HMAC_KEY.encode(), "amount")
    held = Person.objects.exclude(dernier_paiement=None).only("pk", "dernier_paiement")
    batch = []
    for person in held.iterator(chunk_size=2000):
        person.last_payment_digest = digest(f"{person.dernier_paiement:.2f}")
        # The raw line no longer matches what is stored: the next import parses it again.
        person.line_digest = ""
        batch.append(person)
        if len(batch) == 2000:
            Person.objects.bulk_update(batch, ["last_payment_digest", "line_digest"])
            batch = []
    Person.objects.bulk_update(batch, ["last_payment_digest", "line_digest"])


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_import_queued"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="last_payment_digest",
            field=models.CharField(
                blank=True, max_length=64, verbose_name="empreinte du dernier paiement"
            ),
        ),
        migrations.RunPython(amounts_digest, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="person", name="dernier_paiement"),
        migrations.AlterField(
            model_name="registryimport",
            name="kind",
            field=models.CharField(
                choices=[
                    ("persons", "Personnes"),
                    ("companies", "Entreprises"),
                    ("payments", "Paiements"),
                    ("contributions", "Cotisations"),
                ],
                max_length=20,
                verbose_name="type",
            ),
        ),
    ]
