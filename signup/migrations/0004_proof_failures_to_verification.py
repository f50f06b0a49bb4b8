# ProofFailure now belongs to verification (verification 0001): signup forgets it without
# dropping its table, which verification keeps under the same name.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('signup', '0003_proof_failures'),
        ('verification', '0001_proof_failures_from_signup'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ProofFailure')],
            database_operations=[],
        ),
    ]
