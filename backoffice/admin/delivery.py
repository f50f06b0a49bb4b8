"""Letters and their print batches, and the email outbox (docs/product.md §7, §8)."""

import tempfile

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audit.models import AuditEvent
from audit.services import audit_record
from core.clients import request_client
from delivery.letters import (
    SKIP_REASONS,
    letter_cancel,
    letters_batch_generate,
    letters_batch_post,
    letters_batch_reprint,
    letters_pending_count,
)
from delivery.models import EmailDelivery, Letter, LetterBatch
from delivery.services import email_resend, letter_approve

from .accounts import ReadOnlyInline
from .base import AuditedModelAdmin, IdentifierSearchMixin, NoSaveMixin


class ReadOnlyAdmin(NoSaveMixin, AuditedModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        fields = self.fields or [f.name for f in self.opts.fields]
        return [*fields, *self.readonly_fields]


@admin.register(Letter)
class LetterAdmin(IdentifierSearchMixin, ReadOnlyAdmin):
    identifier_field = "user__login"
    change_list_template = "backoffice/letters_change_list.html"
    list_display = (
        "created_at",
        "recipient",
        "reason",
        "language",
        "status",
        "batch",
        "requested_by",
        "approved_by",
    )
    list_filter = ("status", "reason", "language")
    search_fields = ("user__last_name",)
    list_select_related = ("user", "batch", "requested_by", "approved_by")
    fields = (
        "user",
        "reason",
        "language",
        "status",
        "batch",
        "created_at",
        "requested_by",
        "approved_by",
        "approved_at",
    )
    actions = ("cancel_letters", "approve_letters")

    @admin.display(description=gettext_lazy("destinataire"))
    def recipient(self, obj):
        return str(obj.user)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "pending_count": letters_pending_count()}
        return super().changelist_view(request, extra_context)

    @admin.action(
        description=gettext_lazy("Annuler les courriers sélectionnés (non postés)"),
        permissions=["change"],
    )
    def cancel_letters(self, request, queryset):
        count = sum(letter_cancel(letter=x, agent=request.user, request=request) for x in queryset)
        self.message_user(
            request,
            ngettext("%(count)d courrier annulé.", "%(count)d courriers annulés.", count)
            % {"count": count},
        )

    def has_approve_permission(self, request):
        return request.user.has_perm("delivery.approve_letter")

    @admin.action(
        description=gettext_lazy(
            "Approuver l'impression par tout agent (superviseur, courriers demandés par un autre)"
        ),
        permissions=["approve"],
    )
    def approve_letters(self, request, queryset):
        count = sum(letter_approve(letter=x, agent=request.user, request=request) for x in queryset)
        self.message_user(
            request,
            ngettext("%(count)d courrier approuvé.", "%(count)d courriers approuvés.", count)
            % {"count": count},
        )


class BatchLetterInline(ReadOnlyInline):
    model = Letter
    fields = ("user", "reason", "language", "status")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")  # not a query per letter


@admin.register(LetterBatch)
class LetterBatchAdmin(ReadOnlyAdmin):
    change_list_template = "backoffice/letters_change_list.html"
    change_form_template = "backoffice/letterbatch_change_form.html"
    list_display = ("created_at", "created_by", "letter_count", "state", "posted_at", "posted_by")
    fields = ("created_at", "created_by", "letter_count", "posted_at", "posted_by")
    inlines = (BatchLetterInline,)
    actions = ("confirm_posting",)

    def get_urls(self):
        return [
            path(
                "generer/", self.admin_site.admin_view(self.generate_view), name="letters_generate"
            ),
            path(
                "<int:pk>/confirmer-envoi/",
                self.admin_site.admin_view(self.post_view),
                name="letters_post",
            ),
            path(
                "<int:pk>/reimprimer/",
                self.admin_site.admin_view(self.reprint_view),
                name="letters_reprint",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "pending_count": letters_pending_count()}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "can_post": batch is not None
            and batch.posted_at is None
            and self.has_change_permission(request, batch)
            and batch.letters.filter(status=Letter.Status.PRINTED).exists(),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=gettext_lazy("état"))
    def state(self, obj):
        return _("Posté") if obj.posted_at else _("Imprimé, à poster")

    def _check(self, request, permission):
        if not request.user.has_perm(f"delivery.{permission}_letterbatch"):
            raise PermissionDenied

    def generate_view(self, request):
        """« Générer le lot de courriers »: every pending letter in one PDF, streamed."""
        if request.method != "POST":
            return redirect("admin:delivery_letterbatch_changelist")
        self._check(request, "add")
        return self._pdf_response(
            request,
            lambda out: letters_batch_generate(out=out, agent=request.user, request=request),
        )

    def reprint_view(self, request, pk):
        """A batch printed again (jammed printer, lost pile): new passwords void the old ones."""
        if request.method != "POST":
            return redirect("admin:delivery_letterbatch_change", pk)
        self._check(request, "add")
        batch = get_object_or_404(LetterBatch, pk=pk, posted_at=None)
        return self._pdf_response(
            request,
            lambda out: letters_batch_reprint(
                batch=batch, out=out, agent=request.user, request=request
            ),
        )

    def post_view(self, request, pk):
        """« Confirmer l'envoi »: the batch's letters went to the post."""
        if request.method != "POST":
            return redirect("admin:delivery_letterbatch_change", pk)
        self._check(request, "change")
        batch = get_object_or_404(LetterBatch, pk=pk, posted_at=None)
        count = letters_batch_post(batch=batch, agent=request.user, request=request)
        self.message_user(
            request,
            ngettext(
                "Envoi confirmé : %(count)d courrier posté.",
                "Envoi confirmé : %(count)d courriers postés.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
        return redirect("admin:delivery_letterbatch_changelist")

    def _pdf_response(self, request, make):
        # An anonymous temporary file: gone from the disk as soon as the download ends.
        out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after the download
        try:
            report = make(out)
        except BaseException:
            out.close()
            raise
        for letter_id, reason in report.skipped.items():
            self.message_user(
                request,
                _("Courrier n° %(id)s non imprimé : %(reason)s.")
                % {"id": letter_id, "reason": SKIP_REASONS[reason]},
                messages.WARNING,
            )
        if report.batch is None:
            out.close()
            self.message_user(request, _("Aucun courrier à imprimer."), messages.WARNING)
            return redirect("admin:delivery_letterbatch_changelist")
        self.message_user(
            request,
            ngettext(
                "Lot n° %(batch)d : %(count)d courrier. Confirmez l'envoi une fois posté.",
                "Lot n° %(batch)d : %(count)d courriers. Confirmez l'envoi une fois postés.",
                report.printed,
            )
            % {"batch": report.batch.pk, "count": report.printed},
            messages.SUCCESS,
        )
        out.seek(0)
        stamp = timezone.localtime(report.batch.created_at).strftime("%Y%m%d-%H%M")
        return FileResponse(
            out,
            as_attachment=True,
            filename=f"courriers-{stamp}-lot-{report.batch.pk}.pdf",
            content_type="application/pdf",
        )

    @admin.action(
        description=gettext_lazy("Confirmer l'envoi des lots sélectionnés"), permissions=["change"]
    )
    def confirm_posting(self, request, queryset):
        count = sum(
            letters_batch_post(batch=batch, agent=request.user, request=request)
            for batch in queryset.filter(posted_at=None)
        )
        self.message_user(
            request,
            ngettext("%(count)d courrier posté.", "%(count)d courriers postés.", count)
            % {"count": count},
        )


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(IdentifierSearchMixin, ReadOnlyAdmin):
    identifier_field = "user__login"
    list_display = (
        "created_at",
        "kind",
        "recipient",
        "to_address",
        "status",
        "attempts",
        "error",
        "sent_at",
        "fallback",
    )
    list_filter = ("status", "kind", "language")
    search_fields = ("to_address", "user__last_name")
    list_select_related = ("user",)
    fields = (
        "kind",
        "user",
        "to_address",
        "language",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "next_attempt_at",
        "leased_by",
        "fallback_letter",
    )
    actions = ("resend",)

    @admin.display(description=gettext_lazy("compte"))
    def recipient(self, obj):
        return str(obj.user)

    @admin.display(description=gettext_lazy("erreur SMTP"))
    def error(self, obj):
        return obj.last_error[:120]

    @admin.display(description=gettext_lazy("remplacé par"))
    def fallback(self, obj):
        # A refused temporary-password email: the password went by post instead.
        return _("courrier") if obj.fallback_letter_id else ""

    @admin.action(
        description=gettext_lazy("Renvoyer les emails en échec ou en attente"),
        permissions=["change"],
    )
    def resend(self, request, queryset):
        # An email a worker is sending right now is left to it (delivery.services).
        failed = [
            delivery
            for delivery in queryset.exclude(status=EmailDelivery.Status.SENT)
            if not delivery.is_being_sent()
        ]
        for delivery in failed:
            email_resend(delivery=delivery)
            audit_record(
                AuditEvent.Type.EMAIL_RESENT,
                client=request_client(request),
                actor=request.user,
                subject=delivery.user,
                email_delivery=delivery.pk,
                kind=delivery.kind,
            )
        self.message_user(
            request,
            ngettext(
                "%(count)d email remis en file d'envoi.",
                "%(count)d emails remis en file d'envoi.",
                len(failed),
            )
            % {"count": len(failed)},
        )
        if len(failed) < queryset.count():
            self.message_user(
                request,
                _(
                    "Seuls les emails en échec ou en attente sont renvoyés, sauf ceux en cours "
                    "d'envoi."
                ),
                messages.WARNING,
            )
