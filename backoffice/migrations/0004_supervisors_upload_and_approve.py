"""No single agent can take over a member's account (docs/product.md §8): uploading a registry
extract (which changes people's addresses and proofs) becomes a supervisor's task, and supervisors
approve the letters another agent asked for by hand (delivery.selectors.letter_held_back)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENT_LOSES = [("registry", "add_registryimport")]
SUPERVISOR_GAINS = [("registry", "add_registryimport"), ("delivery", "approve_letter")]


def _permissions(apps, wanted):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in wanted
    ]


def forward(apps, schema_editor):
    # The new permission exists only after all migrations otherwise.
    app_config = apps.get_app_config("delivery")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    agent, _created = Group.objects.get_or_create(name="agent")
    supervisor, _created = Group.objects.get_or_create(name="superviseur")
    agent.permissions.remove(*_permissions(apps, AGENT_LOSES))
    supervisor.permissions.add(*_permissions(apps, SUPERVISOR_GAINS))


def backward(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get(name="agent").permissions.add(*_permissions(apps, AGENT_LOSES))
    Group.objects.get(name="superviseur").permissions.remove(
        *_permissions(apps, [("delivery", "approve_letter")])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0003_supervisors_close_accounts"),
        ("delivery", "0003_letters_four_eyes_and_email_changed_notice"),
    ]

    operations = [migrations.RunPython(forward, backward)]
