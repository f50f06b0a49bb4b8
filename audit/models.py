"""The security event log (docs/product.md §5): who did what, when, from where; never a secret."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Type(models.TextChoices):
        SIGNUP_COMPLETED = "signup.completed", _("Inscription finalisée")
        LOGIN_SUCCEEDED = "login.succeeded", _("Connexion réussie")
        LOGIN_FAILED = "login.failed", _("Connexion refusée")
        ACCOUNT_LOCKED = "account.locked", _("Compte verrouillé")
        ACCOUNT_UNLOCKED = "account.unlocked", _("Compte déverrouillé")
        ACCOUNT_CLOSED = "account.closed", _("Compte fermé")
        PASSWORD_CHANGED = "password.changed", _("Mot de passe changé")
        PASSWORD_RESET_REQUESTED = "password.reset_requested", _("Mot de passe oublié")
        EMAIL_CHANGED = "email.changed", _("Adresse email changée")
        SESSIONS_ENDED = "sessions.ended", _("Autres sessions fermées")
        LOGOUT = "logout", _("Déconnexion")
        LETTER_BATCH = "letters.batch", _("Lot de courriers")
        LETTER_POSTED = "letters.posted", _("Courriers postés")
        REGISTRY_IMPORT = "registry.import", _("Import du registre")
        REVIEW_DECISION = "review.decision", _("Décision sur une demande")
        AGENT_ACTION = "agent.action", _("Action d'un agent")
        EMAIL_RESENT = "email.resent", _("Email renvoyé")
        MESSAGE_SENT = "message.sent", _("Message envoyé à la caisse")
        CHANGE_REQUESTED = "change.requested", _("Demande de changement")
        CHANGES_EXPORTED = "changes.exported", _("Export des changements")

    type = models.CharField(_("type"), max_length=40, choices=Type.choices, db_index=True)
    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte concerné"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    client_ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    user_agent = models.CharField(_("navigateur"), max_length=200, blank=True)
    data = models.JSONField(_("détails"), default=dict, blank=True)

    class Meta:
        verbose_name = _("événement de sécurité")
        verbose_name_plural = _("journal de sécurité")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_type_display()}"
