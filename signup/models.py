"""What the registration leaves behind besides accounts: requests for the agents, and counts."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SignupRequest(models.Model):
    """A request an agent must look at: an identity the registry did not confirm, or « Autre ».

    Holds what the person entered, minus secrets: the identifier only as digest and mask.
    Nothing is deleted; a decision is recorded on the request (docs/product.md §8).
    """

    class Kind(models.TextChoices):
        UNIDENTIFIED = "unidentified", _("Identité non retrouvée")
        OTHER = "other", _("Demande « Autre »")

    class Status(models.TextChoices):
        PENDING = "pending", _("À traiter")
        APPROVED = "approved", _("Acceptée")
        REJECTED = "rejected", _("Refusée")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    profile = models.CharField(_("profil"), max_length=30, blank=True)
    function = models.CharField(
        _("fonction"), max_length=40, blank=True
    )  # « Autre »: préciser votre fonction
    identifier_type = models.CharField(_("type d'identifiant"), max_length=5, blank=True)
    identifier_digest = models.CharField(
        _("empreinte de l'identifiant"), max_length=64, blank=True, db_index=True
    )
    identifier_masked = models.CharField(_("identifiant masqué"), max_length=40, blank=True)
    last_name = models.CharField(_("nom"), max_length=100, blank=True)
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    organisation = models.CharField(_("organisme"), max_length=150, blank=True)
    email = models.EmailField(_("adresse email"), blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    message = models.TextField(_("message"), blank=True)
    language = models.CharField(_("langue"), max_length=8, default="fr")
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rejection_reason = models.CharField(_("motif du refus"), max_length=40, blank=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("demande à examiner")
        verbose_name_plural = _("demandes à examiner")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.identifier_masked} {self.last_name}".strip()


class FunnelCount(models.Model):
    """How many registrations reached each step, abandoned or finished, by day and profile.

    Counts only: no session, no person, nothing that identifies anyone (docs/product.md §8
    dashboard).
    """

    class Event(models.TextChoices):
        STEP = "step", _("Étape atteinte")
        ABANDON = "abandon", _("Abandon")
        COMPLETE = "complete", _("Inscription finalisée")

    day = models.DateField(_("jour"))
    profile = models.CharField(_("profil"), max_length=30, blank=True)
    event = models.CharField(_("événement"), max_length=10, choices=Event.choices)
    step = models.PositiveSmallIntegerField(_("étape"), default=0)
    # For COMPLETE: the channel the outcome took (email, post, review, none).
    channel = models.CharField(_("canal"), max_length=10, blank=True)
    count = models.PositiveIntegerField(_("nombre"), default=0)

    class Meta:
        verbose_name = _("compteur du parcours")
        verbose_name_plural = _("compteurs du parcours")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "profile", "event", "step", "channel"], name="funnel_count_unique"
            )
        ]

    def __str__(self):
        return f"{self.day} {self.profile} {self.event} {self.step} {self.channel}: {self.count}"
