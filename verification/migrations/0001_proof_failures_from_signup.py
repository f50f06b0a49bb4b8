# ProofFailure moves from signup to verification: only Django's idea of its owner changes; the
# table, its rows and its constraint stay as they are (docs/architecture.md).

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('signup', '0003_proof_failures'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ProofFailure',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('login', models.CharField(max_length=64, verbose_name='identité (empreinte)')),
                        ('slot', models.PositiveSmallIntegerField(verbose_name='place')),
                        ('expires_at', models.DateTimeField(verbose_name='expire le')),
                    ],
                    options={
                        'verbose_name': 'échec de vérification',
                        'verbose_name_plural': 'échecs de vérification',
                        'db_table': 'signup_prooffailure',
                        'constraints': [models.UniqueConstraint(fields=('login', 'slot'), name='proof_failure_slot_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
