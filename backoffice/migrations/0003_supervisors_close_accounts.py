"""Supervisors close members' accounts at their request (the « Données personnelles » page):
the « superviseur » group gets the permission to delete a member's account (made by 0002)."""

from django.db import migrations

SUPERVISOR = [("backoffice", "delete_memberaccount")]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="superviseur")
    for app_label, codename in SUPERVISOR:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    group = apps.get_model("auth", "Group").objects.filter(name="superviseur").first()
    if group is not None:
        for app_label, codename in SUPERVISOR:
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0002_agent_groups")]

    operations = [migrations.RunPython(grant, revoke)]
