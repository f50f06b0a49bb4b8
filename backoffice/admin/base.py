"""What every back-office admin page shares: audited changes, identifier search."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from accounts.models import User
from accounts.selectors import identifier_read
from audit.models import AuditEvent
from audit.services import audit_record
from core.clients import request_client
from identity import IdentityError
from signup.registration import SignupProfile

from ..selectors import is_digest, looks_like_identifier

SEARCH_MASKS_KEY = "backoffice_search_masks"


class AuditedModelAdmin(admin.ModelAdmin):
    """Each addition, change and deletion an agent makes is written to the audit log too."""

    def _audit(self, request, obj, action, **data):
        audit_record(
            AuditEvent.Type.AGENT_ACTION,
            client=request_client(request),
            actor=request.user,
            subject=obj if isinstance(obj, User) else None,
            action=action,
            model=obj._meta.label,
            object=obj.pk,
            **data,
        )

    def log_addition(self, request, obj, message):
        self._audit(request, obj, "add")
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, "change")
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "delete")
        return super().log_deletions(request, queryset)


class NoSaveMixin:
    """Pages whose fields are all read-only: the change permission serves the actions only,
    so the form offers no « Enregistrer » that would record an empty change."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)


class PostedSearchMixin:
    """A search box that posts, so that a NIR typed into it never reaches an address
    (docs/product.md §5).

    The list is then shown at an address holding what may be shown of the term; a term that
    must not be put there is dropped with a message. This base keeps numbers of five digits or
    more out: a list searched by name, login or email has nothing to find with them.
    """

    change_list_template = "backoffice/change_list.html"
    search_term_refused = gettext_lazy(
        "Cette liste ne se cherche pas par numéro. Pour trouver une personne par son numéro de "
        "Sécurité Sociale, cherchez-la dans la liste des adhérents."
    )

    # An error report must not carry the typed term (docs/product.md §5).
    @method_decorator(sensitive_post_parameters("q"))
    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and "q" in request.POST and "action" not in request.POST:
            return self._search_redirect(request, request.POST["q"])
        term = request.GET.get("q", "")
        if term and self.search_term_kept_out(term):
            # Typed straight into the address: take it out of the page and the history.
            return self._search_redirect(request, term)
        extra_context = {
            **(extra_context or {}),
            "search_display": self.search_display(request, term),
        }
        return super().changelist_view(request, extra_context)

    def _search_redirect(self, request, term):
        params = request.GET.copy()
        params.pop("p", None)
        params.pop("q", None)
        term = term.strip()
        query = self.search_query(request, term) if term else None
        if query:
            params["q"] = query
        query_string = params.urlencode()
        return redirect(f"{request.path}?{query_string}" if query_string else request.path)

    def search_term_kept_out(self, term: str) -> bool:
        """Whether a term must not stay in an address."""
        return looks_like_identifier(term)

    def search_query(self, request, term: str) -> str | None:
        """What goes into the address for a typed term; None drops it.

        Not only a reading: a dropped term is told to the agent in a message, and a subclass
        may remember in the session what to show in the box again.
        """
        if self.search_term_kept_out(term):
            messages.error(request, self.search_term_refused)
            return None
        return term

    def search_display(self, request, term: str) -> str:
        """What the search box shows again above the results."""
        return term


class IdentifierSearchMixin(PostedSearchMixin):
    """Search by NIR or SIRET typed in the search box, digested, never shown or put in a URL.

    A typed identifier is replaced by its keyed digest in the address of the results, and the
    box shows the masked form (docs/product.md §5). Other terms search names.
    """

    identifier_field = "login"
    search_help_text = gettext_lazy(
        "Numéro de Sécurité Sociale (13 ou 15 chiffres), SIRET (14 chiffres) ou nom."
    )

    def search_term_kept_out(self, term: str) -> bool:
        return not is_digest(term) and looks_like_identifier(term)

    def search_query(self, request, term: str) -> str | None:
        identifier = _identifier(term)
        if identifier is not None:
            masks = request.session.get(SEARCH_MASKS_KEY, {})
            masks = dict(list(masks.items())[-19:])
            masks[identifier.digest] = identifier.masked
            request.session[SEARCH_MASKS_KEY] = masks
            return identifier.digest
        if looks_like_identifier(term):
            messages.error(
                request,
                _("Ce numéro n'est ni un numéro de Sécurité Sociale ni un SIRET valable."),
            )
            return None
        return term

    def search_display(self, request, term: str) -> str:
        if is_digest(term):
            return request.session.get(SEARCH_MASKS_KEY, {}).get(term, "")
        return term

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if is_digest(term):
            return queryset.filter(**{self.identifier_field: term}), False
        identifier = _identifier(term)
        if identifier is not None:
            return queryset.filter(**{self.identifier_field: identifier.digest}), False
        if looks_like_identifier(term):
            return queryset.none(), False
        return super().get_search_results(request, queryset, term)


def _identifier(term: str):
    """A NIR (with or without its key) or SIRET typed in a search box; None when it is neither."""
    try:
        return identifier_read(term, by_agent=True)
    except IdentityError:
        return None


class ProfileFilter(admin.SimpleListFilter):
    """The profiles of « Vous êtes... », by their names (an empty profile has no link)."""

    title = gettext_lazy("profil")
    parameter_name = "profil"

    def lookups(self, request, model_admin):
        return SignupProfile.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(profile=self.value())
        return queryset
