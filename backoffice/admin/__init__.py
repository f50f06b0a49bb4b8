"""Every Django admin registration of the project lives here (back-office, docs/product.md §8)."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import accounts, audit, delivery, messaging, registry, review  # noqa: F401  (registrations)
from .base import PostedSearchMixin

# Agents' authenticator keys are never shown; lock-outs are seen and lifted on the accounts.
for model in (TOTPDevice,):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


# Django's own list of groups searches by name: its search box posts too.
admin.site.unregister(Group)


@admin.register(Group)
class AgentGroupAdmin(PostedSearchMixin, GroupAdmin):
    pass
