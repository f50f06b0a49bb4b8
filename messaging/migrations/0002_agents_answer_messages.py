"""The agents answer the messages and decide the change requests: both groups of agents
(backoffice 0002) get those permissions. Permissions are created first: Django otherwise makes
them only after all migrations have run."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENT = [
    ("messaging", "view_thread"),
    ("messaging", "change_thread"),
    ("messaging", "view_changerequest"),
    ("messaging", "change_changerequest"),
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("messaging")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in AGENT
    ]
    for name in ("agent", "superviseur"):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*wanted)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["agent", "superviseur"]):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="messaging")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_initial"),
        ("backoffice", "0003_supervisors_close_accounts"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
