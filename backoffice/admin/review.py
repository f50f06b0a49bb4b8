"""The review queue: registrations the registry did not confirm, and « Autre » requests."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from signup.models import SignupRequest
from signup.registration import SignupProfile

from .. import services
from ..forms import ApproveForm, RejectForm
from ..selectors import review_candidates
from .base import AuditedModelAdmin, ProfileFilter


class PendingFirstFilter(admin.SimpleListFilter):
    """The queue opens on what is left to do; decided requests stay one click away."""

    title = gettext_lazy("statut")
    parameter_name = "statut"

    def lookups(self, request, model_admin):
        return [("tout", _("Toutes")), *SignupRequest.Status.choices]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            selected = self.value() == value or (self.value() is None and value == "pending")
            yield {
                "selected": selected,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "pending"
        if value == "tout":
            return queryset
        return queryset.filter(status=value)


@admin.register(SignupRequest)
class SignupRequestAdmin(AuditedModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "status",
        "profile",
        "identifier_masked",
        "last_name",
        "first_name",
        "birth_date",
        "organisation",
    )
    list_display_links = ("created_at", "last_name")
    list_filter = (PendingFirstFilter, "kind", ProfileFilter)
    ordering = ("created_at", "pk")  # oldest first: the queue is worked in order of arrival
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # nothing is deleted: a decision is recorded on the request

    @method_decorator(sensitive_post_parameters("identifier"))
    def change_view(self, request, object_id, form_url="", extra_context=None):
        # A path that is not a number (a mistyped or relative link) is a 404, not an error.
        if not str(object_id).isdigit():
            raise Http404
        signup_request = get_object_or_404(SignupRequest, pk=object_id)
        if not self.has_view_permission(request, signup_request):
            raise PermissionDenied
        can_decide = (
            self.has_change_permission(request, signup_request)
            and signup_request.status == SignupRequest.Status.PENDING
        )
        candidates = review_candidates(signup_request)
        link_required = signup_request.kind != SignupRequest.Kind.OTHER
        approve_form = ApproveForm(candidates=candidates, link_required=link_required)
        reject_form = RejectForm()
        if request.method == "POST":
            if not can_decide:
                raise PermissionDenied
            if "approve" in request.POST:
                approve_form = ApproveForm(
                    request.POST, candidates=candidates, link_required=link_required
                )
                if approve_form.is_valid():
                    return self._decide(request, signup_request, "approve", approve_form)
            elif "reject" in request.POST:
                reject_form = RejectForm(request.POST)
                if reject_form.is_valid():
                    return self._decide(request, signup_request, "reject", reject_form)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Demande du %(date)s")
            % {"date": signup_request.created_at.strftime("%d/%m/%Y")},
            "original": signup_request,
            "signup_request": signup_request,
            "can_decide": can_decide,
            "approve_form": approve_form,
            "reject_form": reject_form,
            "has_candidates": "candidate" in approve_form.fields,
            "link_required": link_required,
            "reasons": dict(services.REJECTION_REASONS),
            "profile_label": dict(SignupProfile.choices).get(signup_request.profile, ""),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "backoffice/signup_request.html", context)

    def _decide(self, request, signup_request, decision, form):
        try:
            if decision == "approve":
                account = services.signup_request_approve(
                    signup_request=signup_request,
                    agent=request.user,
                    person=form.person,
                    company=form.company,
                    request=request,
                )
                if account is None:
                    message = _("Demande acceptée.")
                else:
                    message = _(
                        "Demande acceptée : le compte %(account)s recevra son mot de passe "
                        "provisoire dans le prochain lot de courriers."
                    ) % {"account": account.identifier_masked}
            else:
                services.signup_request_reject(
                    signup_request=signup_request,
                    agent=request.user,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
                message = _("Demande refusée.")
        except services.DecisionError:
            self.message_user(request, _("Cette demande a déjà été traitée."), messages.ERROR)
            return redirect("admin:signup_signuprequest_change", signup_request.pk)
        self.message_user(request, message, messages.SUCCESS)
        return redirect("admin:signup_signuprequest_changelist")
