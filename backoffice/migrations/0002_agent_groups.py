"""The two groups of agents (docs/product.md §8): « agent » for the daily work, « superviseur »
also manages the agents' accounts. Permissions are created first: Django otherwise makes them
only after all migrations have run."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENT = [
    ("backoffice", "view_memberaccount"),
    ("backoffice", "change_memberaccount"),
    ("registry", "view_person"),
    ("registry", "view_company"),
    ("registry", "view_registryimport"),
    ("registry", "add_registryimport"),
    ("signup", "view_signuprequest"),
    ("signup", "change_signuprequest"),
    ("signup", "view_funnelcount"),
    ("delivery", "view_letter"),
    ("delivery", "change_letter"),
    ("delivery", "view_letterbatch"),
    ("delivery", "add_letterbatch"),
    ("delivery", "change_letterbatch"),
    ("delivery", "view_emaildelivery"),
    ("delivery", "change_emaildelivery"),
    ("audit", "view_auditevent"),
]
SUPERVISOR = AGENT + [
    ("backoffice", "view_agentaccount"),
    ("backoffice", "add_agentaccount"),
    ("backoffice", "change_agentaccount"),
]


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in (("agent", AGENT), ("superviseur", SUPERVISOR)):
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["agent", "superviseur"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0002_initial"),
        ("audit", "0001_initial"),
        ("delivery", "0001_initial"),
        ("registry", "0001_initial"),
        ("signup", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
