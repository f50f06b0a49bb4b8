"""The Django admin, served by the back-office's own site (second factor, agents only)."""

from django.contrib.admin.apps import AdminConfig


class AgentAdminConfig(AdminConfig):
    default_site = "backoffice.sites.AgentAdminSite"
