"""Members' accounts (agents) and agents' accounts (supervisors)."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.db.models import Count, Exists, OuterRef, Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import TemporaryPassword, User
from core.forms import ModelForm
from delivery.models import Letter

from .. import services
from ..models import AgentAccount, MemberAccount
from ..selectors import account_blocked_until, blocked_filter, member_accounts_with_state
from .base import (
    AuditedModelAdmin,
    IdentifierSearchMixin,
    NoSaveMixin,
    PostedSearchMixin,
    ProfileFilter,
)

AGENT_GROUPS = ("agent", "superviseur")

# Accounts closed at once at the most: each closing answers one person's written request.
CLOSE_AT_ONCE = 10


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TemporaryPasswordInline(ReadOnlyInline):
    model = TemporaryPassword
    fields = ("channel", "created_at", "expires_at", "used_at", "voided_at")
    readonly_fields = fields
    ordering = ("-created_at",)
    verbose_name_plural = gettext_lazy("mots de passe provisoires envoyés (jamais affichés)")


class LetterInline(ReadOnlyInline):
    model = Letter
    fk_name = "user"
    fields = ("created_at", "reason", "language", "status", "batch", "requested_by")
    readonly_fields = fields
    ordering = ("-created_at",)

    def get_queryset(self, request):
        # The batch is shown, and each letter's user is the page's account: read once.
        return super().get_queryset(request).select_related("batch", "user")


class StateFilter(admin.SimpleListFilter):
    title = gettext_lazy("état")
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return [
            ("courrier", _("Courrier en attente")),
            ("provisoire", _("Mot de passe provisoire non utilisé")),
            ("verrouille", _("Verrouillé")),
            ("actif", _("Actif")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "courrier":
            return queryset.filter(pending_letter=True)
        if value == "provisoire":
            return queryset.filter(must_change_password=True, is_active=True)
        if value == "verrouille":
            return queryset.filter(Q(is_active=False) | blocked_filter())
        if value == "actif":
            return queryset.filter(is_active=True, must_change_password=False).exclude(
                blocked_filter()
            )
        return queryset


@admin.register(MemberAccount)
class MemberAccountAdmin(IdentifierSearchMixin, NoSaveMixin, AuditedModelAdmin):
    list_display = (
        "identifier_masked",
        "last_name",
        "first_name",
        "profile",
        "channel",
        "state",
        "last_password",
        "date_joined",
    )
    list_display_links = ("identifier_masked", "last_name")
    list_filter = (StateFilter, "channel", "identifier_type", ProfileFilter)
    search_fields = ("last_name", "first_name")
    ordering = ("-date_joined",)
    list_per_page = 50
    actions = ("lock_accounts", "unlock_accounts", "send_password_by_post", "close_accounts")
    inlines = (TemporaryPasswordInline, LetterInline)
    fieldsets = (
        (
            gettext_lazy("Identité"),
            {
                "fields": (
                    "identifier_type",
                    "identifier_masked",
                    "last_name",
                    "first_name",
                    "profile",
                    "registry_link",
                )
            },
        ),
        (
            gettext_lazy("État du compte"),
            {"fields": ("state", "last_password", "channel", "date_joined", "last_login")},
        ),
        (
            gettext_lazy("Contact"),
            {"fields": ("email", "email_confirmed", "mobile", "language")},
        ),
        (gettext_lazy("Conditions générales"), {"fields": ("cgu_version", "cgu_accepted_at")}),
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("person", "company")
        return member_accounts_with_state(queryset)

    def get_readonly_fields(self, request, obj=None):
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("état"))
    def state(self, obj):
        parts = []
        if not obj.is_active:
            parts.append(_("Verrouillé par un agent"))
        blocked = account_blocked_until(until=getattr(obj, "blocked_until", None))
        if blocked:
            parts.append(
                _("Bloqué après des échecs de connexion, jusqu'à %(time)s")
                % {"time": timezone.localtime(blocked).strftime("%H:%M")}
            )
        if getattr(obj, "pending_letter", False):
            parts.append(_("Courrier en attente"))
        if obj.is_active and obj.must_change_password:
            parts.append(_("Mot de passe provisoire non encore utilisé"))
        if not parts:
            parts.append(_("Actif"))
        return " · ".join(parts)

    @admin.display(description=gettext_lazy("dernier mot de passe provisoire"))
    def last_password(self, obj):
        at = getattr(obj, "last_password_at", None)
        if at is None:
            return "—"
        channel = TemporaryPassword.Channel(obj.last_password_channel).label
        return _("%(channel)s, le %(date)s") % {
            "channel": channel,
            "date": timezone.localtime(at).strftime("%d/%m/%Y %H:%M"),
        }

    @admin.display(description=gettext_lazy("fiche du registre"))
    def registry_link(self, obj):
        from django.urls import reverse

        if obj.person_id:
            url = reverse("admin:registry_person_change", args=[obj.person_id])
            return format_html('<a href="{}">{}</a>', url, obj.person)
        if obj.company_id:
            url = reverse("admin:registry_company_change", args=[obj.company_id])
            return format_html('<a href="{}">{}</a>', url, obj.company)
        return "—"

    @admin.action(
        description=gettext_lazy("Verrouiller les comptes sélectionnés"), permissions=["change"]
    )
    def lock_accounts(self, request, queryset):
        count = sum(
            services.member_lock(user=user, agent=request.user, request=request)
            for user in queryset
        )
        self.message_user(
            request,
            ngettext("%(count)d compte verrouillé.", "%(count)d comptes verrouillés.", count)
            % {"count": count},
        )

    @admin.action(
        description=gettext_lazy("Déverrouiller les comptes sélectionnés"), permissions=["change"]
    )
    def unlock_accounts(self, request, queryset):
        count = 0
        for user in queryset:
            services.member_unlock(user=user, agent=request.user, request=request)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d compte déverrouillé.", "%(count)d comptes déverrouillés.", count)
            % {"count": count},
        )

    @admin.action(
        description=gettext_lazy("Envoyer un nouveau mot de passe provisoire par courrier"),
        permissions=["change"],
    )
    def send_password_by_post(self, request, queryset):
        queued = sum(
            services.member_letter_request(user=user, agent=request.user, request=request)
            is not None
            for user in queryset
        )
        skipped = queryset.count() - queued
        self.message_user(
            request,
            ngettext(
                "%(count)d courrier ajouté au prochain lot.",
                "%(count)d courriers ajoutés au prochain lot.",
                queued,
            )
            % {"count": queued},
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d compte avait déjà un courrier en attente.",
                    "%(count)d comptes avaient déjà un courrier en attente.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    def has_close_permission(self, request) -> bool:
        """Supervisors close accounts (backoffice 0003): erasing cannot be undone."""
        return request.user.has_perm("backoffice.delete_memberaccount")

    @admin.action(
        description=gettext_lazy("Fermer les comptes sélectionnés, à la demande de la personne"),
        permissions=["close"],
    )
    def close_accounts(self, request, queryset):
        """A page to confirm first, listing the accounts; then each is closed and audited.

        Each closing answers one person's request: a few accounts at a time, never « all ».
        """
        if request.POST.get("select_across") == "1" or queryset.count() > CLOSE_AT_ONCE:
            self.message_user(
                request,
                _("Fermez les comptes un par un, au plus %(count)d à la fois, chacun à la demande "
                  "de la personne.") % {"count": CLOSE_AT_ONCE},
                messages.ERROR,
            )  # fmt: skip
            return None
        if request.POST.get("confirm") != "yes":
            request.current_app = self.admin_site.name
            accounts = queryset.annotate(
                printed_letter=Exists(
                    Letter.objects.filter(user=OuterRef("pk"), status=Letter.Status.PRINTED)
                )
            )
            context = {
                **self.admin_site.each_context(request),
                "title": _("Fermer des comptes"),
                "opts": self.model._meta,
                "accounts": accounts,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "backoffice/member_close_confirm.html", context)
        count = sum(
            services.member_close(user=user, agent=request.user, request=request)
            for user in queryset
        )
        self.message_user(
            request,
            ngettext("%(count)d compte fermé.", "%(count)d comptes fermés.", count)
            % {"count": count},
        )


class AgentForm(ModelForm):
    """An agent's account, as a supervisor edits it: never a superuser, only the two groups."""

    groups = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Groupes"),
        queryset=Group.objects.filter(name__in=AGENT_GROUPS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy(
            "« agent » : le travail quotidien. « superviseur » : gère aussi les comptes agents."
        ),
    )
    new_password = forms.CharField(
        label=gettext_lazy("Nouveau mot de passe"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "Au moins 12 caractères. Laisser vide pour ne pas changer le mot de passe. "
            "L'agent en choisira un autre à sa prochaine connexion."
        ),
    )

    class Meta:
        model = AgentAccount
        fields = ("login", "first_name", "last_name", "email", "is_active", "groups")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["new_password"].required = True
            self.fields["new_password"].label = _("Mot de passe")
            days = settings.AGENT_ENROLMENT_DAYS
            self.fields["new_password"].help_text = ngettext(
                "Au moins 12 caractères. L'agent activera son second facteur à sa première "
                "connexion, dans le jour qui suit, puis choisira son propre mot de passe.",
                "Au moins 12 caractères. L'agent activera son second facteur à sa première "
                "connexion, dans les %(days)d jours, puis choisira son propre mot de passe.",
                days,
            ) % {"days": days}

    def clean_new_password(self):
        password = self.cleaned_data.get("new_password")
        if password:
            password_validation.validate_password(password, self.instance)
        return password

    def save(self, commit=True):
        agent = super().save(commit=False)
        agent.kind = User.Kind.AGENT
        agent.is_staff = True
        if self.cleaned_data.get("new_password"):
            # A password someone else chose serves once: the agent replaces it at sign-in.
            agent.set_password(self.cleaned_data["new_password"])
            agent.must_change_password = True
        if commit:
            agent.save()
            self.save_m2m()
        return agent


@admin.register(AgentAccount)
class AgentAccountAdmin(PostedSearchMixin, AuditedModelAdmin):
    form = AgentForm
    list_display = (
        "login",
        "last_name",
        "first_name",
        "email",
        "group_names",
        "second_factor",
        "is_active",
        "last_login",
    )
    list_filter = ("is_active", "groups")
    search_fields = ("login", "last_name", "first_name", "email")
    ordering = ("login",)
    actions = ("reset_second_factor", "unblock_agents", "deactivate_agents")
    fields = ("login", "first_name", "last_name", "email", "groups", "is_active", "new_password")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("groups")
            .annotate(devices=Count("totpdevice", filter=Q(totpdevice__confirmed=True)))
        )

    def has_change_permission(self, request, obj=None):
        # Supervisors do not edit a superuser: only another superuser does.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit log keeps pointing at the agent

    @admin.display(description=gettext_lazy("groupes"))
    def group_names(self, obj):
        names = [g.name for g in obj.groups.all()]
        if obj.is_superuser:
            names.insert(0, _("administrateur"))
        return ", ".join(names) or "—"

    def _changeable(self, request, queryset):
        """The selected agents this agent may act on: a supervisor never acts on a superuser
        (the same rule as has_change_permission), and is told when some were left out."""
        if request.user.is_superuser:
            return queryset
        allowed = queryset.exclude(is_superuser=True)
        if queryset.filter(is_superuser=True).exists():
            self.message_user(
                request,
                _("Les comptes administrateur ne sont modifiés que par un administrateur."),
                messages.WARNING,
            )
        return allowed

    @admin.display(description=gettext_lazy("second facteur"), boolean=True)
    def second_factor(self, obj):
        return bool(getattr(obj, "devices", 0))

    @admin.action(
        description=gettext_lazy("Réinitialiser le second facteur (téléphone perdu ou changé)"),
        permissions=["change"],
    )
    def reset_second_factor(self, request, queryset):
        for agent in self._changeable(request, queryset):
            services.agent_totp_reset(agent=agent, actor=request.user, request=request)
        self.message_user(
            request,
            ngettext(
                "L'agent activera un nouveau second facteur à sa prochaine connexion, dans le "
                "jour qui suit.",
                "L'agent activera un nouveau second facteur à sa prochaine connexion, dans les "
                "%(days)d jours.",
                settings.AGENT_ENROLMENT_DAYS,
            )
            % {"days": settings.AGENT_ENROLMENT_DAYS},
        )

    @admin.action(
        description=gettext_lazy("Lever le blocage après des échecs de connexion"),
        permissions=["change"],
    )
    def unblock_agents(self, request, queryset):
        for agent in self._changeable(request, queryset):
            services.agent_unblock(agent=agent, actor=request.user, request=request)
        self.message_user(request, _("Blocages levés."))

    @admin.action(
        description=gettext_lazy("Désactiver les agents sélectionnés"), permissions=["change"]
    )
    def deactivate_agents(self, request, queryset):
        for agent in self._changeable(request, queryset).exclude(pk=request.user.pk):
            agent.is_active = False
            agent.save(update_fields=["is_active"])
            self._audit(request, agent, "deactivate")
        self.message_user(request, _("Agents désactivés."))
