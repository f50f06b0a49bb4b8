"""The agents' side of Ma messagerie and of the change requests (docs/product.md §13).

The queue opens on the new threads, oldest waiting first; « Mes échanges » holds what the agent
took; a thread answered waits for the member; closed ones stay one click away. Each action is a
service of messaging/services.py, audited there without the message's content.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from audit.models import AuditEvent
from audit.services import audit_record
from core.clients import request_client
from messaging import selectors, services
from messaging.forms import ReplyForm
from messaging.models import Attachment, ChangeRequest, Thread
from messaging.sealing import iban_open
from messaging.views import attachment_response

from ..forms import ChangeRefuseForm
from .base import IdentifierSearchMixin

QUEUE_PARAMETER = "file"


class QueueFilter(admin.SimpleListFilter):
    """The queue's tabs: new, mine, waiting for the member, closed, all."""

    title = gettext_lazy("file d'attente")
    parameter_name = QUEUE_PARAMETER

    def lookups(self, request, model_admin):
        counts = selectors.queue_counts(request.user)
        return [
            ("nouveaux", _("Nouveaux (%(count)s)") % {"count": counts["new"]}),
            ("miens", _("Mes échanges (%(count)s)") % {"count": counts["mine"]}),
            (
                "en-attente",
                _("En attente de l'adhérent (%(count)s)") % {"count": counts["answered"]},
            ),
            ("clos", _("Clos (%(count)s)") % {"count": counts["closed"]}),
            ("tout", _("Tous")),
        ]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "nouveaux") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "nouveaux"
        if value == "nouveaux":
            return queryset.filter(status=Thread.Status.NEW)
        if value == "miens":
            return queryset.filter(
                assigned_to=request.user,
                status__in=[Thread.Status.NEW, Thread.Status.IN_PROGRESS],
            )
        if value == "en-attente":
            return queryset.filter(status=Thread.Status.ANSWERED)
        if value == "clos":
            return queryset.filter(status=Thread.Status.CLOSED)
        return queryset


@admin.register(Thread)
class ThreadAdmin(IdentifierSearchMixin, admin.ModelAdmin):
    identifier_field = "member__login"
    search_fields = ("member__last_name", "member__first_name")
    search_help_text = gettext_lazy(
        "Numéro de Sécurité Sociale (13 ou 15 chiffres), SIRET (14 chiffres) ou nom de l'adhérent."
    )
    list_display = ("waiting", "subject", "member_display", "status", "assigned_to")
    list_display_links = ("subject",)
    # Nothing is done to many threads at once: no checkbox column, no actions form.
    actions = None
    list_filter = (QueueFilter, "subject")
    list_select_related = ("member", "assigned_to")
    # Oldest waiting first: the queue is worked in order of arrival.
    ordering = ("waiting_since", "-last_message_at", "pk")
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description=gettext_lazy("en attente depuis"), ordering="waiting_since")
    def waiting(self, thread):
        if thread.waiting_since is None:
            return "—"
        return _waiting_label(timezone.now() - thread.waiting_since)

    @admin.display(description=gettext_lazy("adhérent"))
    def member_display(self, thread):
        member = thread.member
        return f"{member.identifier_masked} — {member.first_name} {member.last_name}".strip()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # messages go by the retention rules only

    def get_urls(self):
        return [
            path(
                "<int:thread_id>/pieces-jointes/<int:attachment_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="messaging_thread_attachment",
            ),
            *super().get_urls(),
        ]

    def attachment_view(self, request, thread_id: int, attachment_id: int):
        thread = get_object_or_404(Thread, pk=thread_id)
        if not self.has_view_permission(request, thread):
            raise PermissionDenied
        found = get_object_or_404(Attachment, pk=attachment_id, message__thread=thread)
        _opened(request, thread.member, found, thread=thread.pk)
        return attachment_response(found)

    @method_decorator(sensitive_post_parameters("body"))
    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not str(object_id).isdigit():
            raise Http404
        thread = selectors.thread_with_messages(int(object_id))
        if thread is None:
            raise Http404
        if not self.has_view_permission(request, thread):
            raise PermissionDenied
        can_act = self.has_change_permission(request, thread)
        form = ReplyForm()
        if request.method == "POST":
            if not can_act:
                raise PermissionDenied
            response, form = self._act(request, thread)
            if response is not None:
                return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("%(subject)s — %(member)s")
            % {"subject": thread.get_subject_display(), "member": thread.member.identifier_masked},
            "original": thread,
            "thread": thread,
            "other_threads": selectors.member_other_threads(thread),
            "can_act": can_act,
            "form": form,
            "waiting_label": _waiting_label(timezone.now() - thread.waiting_since)
            if thread.waiting_since
            else "",
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "backoffice/messaging_thread.html", context)

    def _act(self, request, thread):
        form = ReplyForm()
        try:
            if "assign" in request.POST:
                services.thread_assign(thread=thread, agent=request.user, request=request)
                self.message_user(request, _("Cet échange vous est attribué."), messages.SUCCESS)
            elif "close" in request.POST:
                services.thread_close(thread=thread, agent=request.user, request=request)
                self.message_user(request, _("Échange clos."), messages.SUCCESS)
                return redirect("admin:messaging_thread_changelist"), form
            elif "reopen" in request.POST:
                services.thread_reopen(thread=thread, agent=request.user, request=request)
                self.message_user(request, _("Échange rouvert."), messages.SUCCESS)
            elif "reply" in request.POST or "reply_close" in request.POST:
                form = ReplyForm(request.POST, request.FILES)
                if not form.is_valid():
                    return None, form
                services.thread_reply(
                    thread=thread,
                    agent=request.user,
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["files"],
                    request=request,
                )
                if "reply_close" in request.POST:
                    # The answer settles the question: one click instead of two.
                    services.thread_close(thread=thread, agent=request.user, request=request)
                self.message_user(
                    request,
                    _(
                        "Réponse envoyée ; l'adhérent est prévenu par email s'il a confirmé son "
                        "adresse."
                    ),
                    messages.SUCCESS,
                )
                return redirect("admin:messaging_thread_changelist"), form
            else:
                return None, form
        except services.DecisionError:
            self.message_user(
                request, _("Cet échange a changé entre-temps : voici son état."), messages.ERROR
            )
        return redirect("admin:messaging_thread_change", thread.pk), form


def _waiting_label(age) -> str:
    hours = int(age.total_seconds() // 3600)
    if hours < 1:
        return _("moins d'une heure")
    if hours < 48:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(days)s jours") % {"days": hours // 24}


def _opened(request, member, attachment, **data) -> None:
    # Who opened which member's document, and when: a dishonest agent leaves a trace.
    audit_record(
        AuditEvent.Type.AGENT_ACTION,
        client=request_client(request),
        actor=request.user,
        subject=member,
        action="attachment_opened",
        attachment=attachment.pk,
        **data,
    )


class PendingRequestsFirst(admin.SimpleListFilter):
    title = gettext_lazy("statut")
    parameter_name = "statut"

    def lookups(self, request, model_admin):
        return [*ChangeRequest.Status.choices, ("tout", _("Toutes"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "pending") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "pending"
        return queryset if value == "tout" else queryset.filter(status=value)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(IdentifierSearchMixin, admin.ModelAdmin):
    identifier_field = "member__login"
    search_fields = ("member__last_name", "member__first_name")
    list_display = ("created_at", "kind", "member_masked", "member_name", "status", "exported_at")
    list_display_links = ("created_at", "kind")
    list_filter = (PendingRequestsFirst, "kind")
    list_select_related = ("member",)
    ordering = ("created_at", "pk")
    list_per_page = 50

    @admin.display(description=gettext_lazy("identifiant"))
    def member_masked(self, change):
        return change.member.identifier_masked

    @admin.display(description=gettext_lazy("adhérent"))
    def member_name(self, change):
        return f"{change.member.first_name} {change.member.last_name}".strip()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:change_id>/releve/<int:attachment_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="messaging_changerequest_attachment",
            ),
            *super().get_urls(),
        ]

    def attachment_view(self, request, change_id: int, attachment_id: int):
        change = get_object_or_404(ChangeRequest, pk=change_id)
        if not self.has_view_permission(request, change):
            raise PermissionDenied
        found = get_object_or_404(Attachment, pk=attachment_id, change_request=change)
        _opened(request, change.member, found, change_request=change.pk)
        return attachment_response(found)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not str(object_id).isdigit():
            raise Http404
        change = get_object_or_404(
            ChangeRequest.objects.select_related("member__person", "member__company"),
            pk=object_id,
        )
        if not self.has_view_permission(request, change):
            raise PermissionDenied
        can_decide = (
            self.has_change_permission(request, change)
            and change.status == ChangeRequest.Status.PENDING
        )
        refuse_form = ChangeRefuseForm()
        if request.method == "POST":
            if not can_decide:
                raise PermissionDenied
            try:
                if "accept" in request.POST:
                    services.change_request_accept(
                        change=change, agent=request.user, request=request
                    )
                    self.message_user(request, _("Demande acceptée."), messages.SUCCESS)
                    return redirect("admin:messaging_changerequest_changelist")
                refuse_form = ChangeRefuseForm(request.POST)
                if "refuse" in request.POST and refuse_form.is_valid():
                    services.change_request_refuse(
                        change=change,
                        agent=request.user,
                        reason=refuse_form.cleaned_data["reason"],
                        request=request,
                    )
                    self.message_user(request, _("Demande refusée."), messages.SUCCESS)
                    return redirect("admin:messaging_changerequest_changelist")
            except services.DecisionError:
                self.message_user(request, _("Cette demande a déjà été traitée."), messages.ERROR)
                return redirect("admin:messaging_changerequest_change", change.pk)
        record = change.member.person or change.member.company
        iban_grouped = ""
        if can_decide and change.iban_sealed:
            iban_grouped = _grouped(iban_open(change.iban_sealed))
            # Who saw a member's new IBAN in clear, and when (never the IBAN itself).
            audit_record(
                AuditEvent.Type.AGENT_ACTION,
                client=request_client(request),
                actor=request.user,
                subject=change.member,
                action="iban_shown",
                change_request=change.pk,
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("%(kind)s — %(member)s")
            % {"kind": change.get_kind_display(), "member": change.member.identifier_masked},
            "original": change,
            "change": change,
            "can_decide": can_decide,
            "refuse_form": refuse_form,
            "address_on_file": record.address_lines() if record else [],
            "new_address": [v for v in (change.address or {}).values() if v],
            # Shown to the deciding agent only, to compare with the statement; never stored
            # or logged in clear (docs/decisions/change-requests-bank-details.md).
            "iban_grouped": iban_grouped,
            # Someone who took over an account would move the address first, so that the
            # bank-details letter goes to them: the agent sees a recent address change.
            "recent_address_changes": selectors.recent_address_changes(change)
            if change.kind == ChangeRequest.Kind.BANK_DETAILS
            else [],
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "backoffice/messaging_change_request.html", context)


def _grouped(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
