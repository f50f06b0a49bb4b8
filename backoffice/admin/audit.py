"""The audit log: read-only, filtered by type, date and agent, exported as CSV
(docs/product.md §5)."""

import json

from django.contrib import admin
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.models import AuditEvent
from core.spreadsheet import BOM, spreadsheet_cell, spreadsheet_writer


class AgentFilter(admin.SimpleListFilter):
    title = gettext_lazy("agent")
    parameter_name = "agent"

    def lookups(self, request, model_admin):
        return [
            (str(a.pk), a.login)
            for a in User.objects.filter(kind=User.Kind.AGENT).order_by("login")
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(actor_id=self.value())
        return queryset


def audit_csv_rows(queryset):
    """The CSV lines of the events, header first, one database chunk at a time."""
    writer = spreadsheet_writer()
    yield BOM + writer.writerow(
        [
            _("date"),
            _("type"),
            _("agent ou auteur"),
            _("compte concerné"),
            _("adresse IP"),
            _("détails"),
        ]
    )
    events = queryset.select_related("actor", "subject").order_by("-at", "-pk")
    for event in events.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                spreadsheet_cell(timezone.localtime(event.at).isoformat(timespec="seconds")),
                spreadsheet_cell(event.type),
                spreadsheet_cell(
                    event.actor.login
                    if event.actor and not event.actor.is_member
                    else (event.actor or "")
                ),
                spreadsheet_cell(event.subject or ""),
                spreadsheet_cell(event.client_ip or ""),
                spreadsheet_cell(json.dumps(event.data, ensure_ascii=False, sort_keys=True)),
            ]
        )


def audit_csv_response(queryset) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        audit_csv_rows(queryset), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="journal-{stamp}.csv"'
    return response


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    change_list_template = "backoffice/audit_change_list.html"
    list_display = ("at", "type", "actor", "subject", "client_ip", "details")
    list_filter = ("type", ("at", admin.DateFieldListFilter), AgentFilter)
    date_hierarchy = "at"
    list_select_related = ("actor", "subject")
    list_per_page = 100
    actions = ("export_csv",)
    fields = ("at", "type", "actor", "subject", "client_ip", "user_agent", "data")

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("détails"))
    def details(self, obj):
        return ", ".join(f"{k} : {v}" for k, v in sorted(obj.data.items()))[:160]

    def get_urls(self):
        return [
            path("export.csv", self.admin_site.admin_view(self.export_view), name="audit_export"),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """The events the list shows with its current filters, as CSV, streamed."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return audit_csv_response(changelist.get_queryset(request))

    @admin.action(description=gettext_lazy("Exporter la sélection en CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return audit_csv_response(queryset)
