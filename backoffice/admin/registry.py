"""The registry extract: persons, companies, and the imports done (docs/product.md §6)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from identity import IdentityError, parse_siret
from registry.models import Company, Person, RegistryImport
from registry.services import registry_imports_interrupted_close
from registry.tasks import registry_upload_queue

from ..forms import RegistryImportForm
from ..selectors import looks_like_identifier
from .base import IdentifierSearchMixin, PostedSearchMixin


class ViewOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


ADDRESS_FIELDS = (
    "adresse_2",
    "adresse_3",
    "adresse_4",
    "adresse_5",
    "code_postal",
    "commune",
    "pays",
)


@admin.register(Person)
class PersonAdmin(IdentifierSearchMixin, ViewOnlyAdmin):
    """Digests are never shown: the masked NIR identifies the person on screen."""

    identifier_field = "nir_digest"
    search_help_text = gettext_lazy("Numéro de Sécurité Sociale (13 ou 15 chiffres) ou nom.")
    list_display = (
        "nir_masked",
        "nom",
        "prenoms",
        "date_naissance",
        "code_postal",
        "commune",
        "profils",
    )
    list_filter = ("affilie_sante", "carte_vitale")
    search_fields = ("nom",)
    fields = (
        "nir_masked",
        "nom",
        "prenoms",
        "date_naissance",
        *ADDRESS_FIELDS,
        "email",
        "mobile",
        "affilie_sante",
        "carte_vitale",
        "profils",
        "updated_at",
    )


def company_number(term: str) -> str | None:
    """The SIRET (14 digits) or SIREN (9) a search term is, digits only; None for anything else."""
    try:
        return parse_siret(term)
    except IdentityError as error:
        if error.code == "siret_is_siren":  # nine ASCII digits once separators are dropped
            return "".join(c for c in term if c.isdigit())
    return None


@admin.register(Company)
class CompanyAdmin(PostedSearchMixin, ViewOnlyAdmin):
    list_display = ("siret", "raison_sociale", "code_postal", "commune")
    search_fields = ("raison_sociale",)
    search_help_text = gettext_lazy("SIRET (14 chiffres), SIREN (9 chiffres) ou raison sociale.")
    search_term_refused = gettext_lazy(
        "Cherchez une entreprise par son SIRET (14 chiffres), son SIREN (9 chiffres) ou sa raison "
        "sociale. Un numéro de Sécurité Sociale ne se cherche pas ici : cherchez la personne dans "
        "la liste des adhérents."
    )
    fields = ("siret", "raison_sociale", *ADDRESS_FIELDS, "email", "updated_at")

    def search_term_kept_out(self, term: str) -> bool:
        # A SIRET is public; any other number (a NIR typed here by mistake, the 2A or 2B of
        # Corsica its only letters) stays out. A name may hold a number: « Garage du 97133 ».
        is_number = looks_like_identifier(term) and sum(c.isalpha() for c in term) <= 2
        return is_number and company_number(term) is None

    def search_query(self, request, term: str) -> str | None:
        query = super().search_query(request, term)
        return query and (company_number(query) or query)  # « 732 829 320 00074 »

    def get_search_results(self, request, queryset, search_term):
        number = company_number(search_term.strip())
        if number is not None:
            lookup = "siret" if len(number) == 14 else "siret__startswith"
            return queryset.filter(**{lookup: number}), False
        if self.search_term_kept_out(search_term):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(RegistryImport)
class RegistryImportAdmin(ViewOnlyAdmin):
    change_list_template = "backoffice/registryimport_change_list.html"
    list_display = (
        "started_at",
        "kind",
        "file_name",
        "status",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "agent",
    )
    list_filter = ("kind", "status")
    fields = (
        "kind",
        "file_name",
        "status",
        "started_at",
        "finished_at",
        "agent",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "message",
        "rejected_table",
    )
    readonly_fields = ("rejected_table",)

    @admin.display(description=gettext_lazy("lignes refusées"))
    def rejected_table(self, obj):
        rows = obj.rejected_lines[:1000]
        if not rows:
            return "—"
        return format_html(
            '<table><thead><tr><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
            "<tbody>{}</tbody></table>{}",
            _("Ligne"),
            _("Motif"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td></tr>",
                ((r.get("line"), r.get("reason")) for r in rows),
            ),
            _("(1 000 premières lignes)") if len(obj.rejected_lines) > 1000 else "",
        )

    def changelist_view(self, request, extra_context=None):
        # An import killed outright would otherwise stay « En cours » in this list forever.
        registry_imports_interrupted_close()
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path("importer/", self.admin_site.admin_view(self.upload_view), name="registry_upload"),
            *super().get_urls(),
        ]

    def upload_view(self, request):
        """Run an import of an uploaded extract, as `manage.py import_registry` does."""
        if not request.user.has_perm("registry.add_registryimport"):
            raise PermissionDenied
        form = RegistryImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            record = self._run_import(request, form)
            if record is not None:
                return redirect("admin:registry_registryimport_change", record.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Importer un extrait du registre"),
            "form": form,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "backoffice/registry_upload.html", context)

    def _run_import(self, request, form):
        # Run by a worker, not in this request (registry.tasks.registry_upload_queue).
        record = registry_upload_queue(
            upload=form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
            encoding=form.cleaned_data["encoding"],
            agent=request.user,
        )
        self.message_user(
            request,
            _(
                "Import en attente : il commence dès qu'un worker est libre. Rechargez cette "
                "page pour suivre son état."
            ),
            messages.INFO,
        )
        return record
