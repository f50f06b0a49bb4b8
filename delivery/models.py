"""What the fund sends: emails through an outbox, letters through printed batches
(docs/product.md §7)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailDelivery(models.Model):
    """One email to send, and what became of it. Holds no password: the worker makes it."""

    class Kind(models.TextChoices):
        TEMPORARY_PASSWORD = "temporary_password", _("Mot de passe provisoire")
        EXISTING_ACCOUNT = "existing_account", _("Avis : compte existant")
        EMAIL_CONFIRMATION = "email_confirmation", _("Confirmation d'adresse email")
        ACCOUNT_LOCKED = "account_locked", _("Avis : compte verrouillé")
        PASSWORD_CHANGED = "password_changed", _("Avis : mot de passe changé")
        REPLY_WAITING = "reply_waiting", _("Avis : réponse de la caisse")
        EMAIL_CHANGED = "email_changed", _("Avis : adresse email changée")

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec")

    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        on_delete=models.CASCADE,
        related_name="email_deliveries",
    )
    to_address = models.EmailField(_("destinataire"))
    language = models.CharField(_("langue"), max_length=8, default="fr")
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    # Non-secret parameters of the message (e.g. a confirmation token's id, never a password).
    context = models.JSONField(_("paramètres"), default=dict, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    # A queued email is due once this time has passed (None: at once). A worker that takes it
    # moves it a lease ahead (EMAIL_LEASE_SECONDS): if that worker dies, the email is simply
    # due again when the lease ends, and another worker takes it (delivery.sender).
    next_attempt_at = models.DateTimeField(_("prochain essai"), null=True, blank=True)
    # The lease of the worker sending it now: a fresh token at each taking, so that a worker
    # whose lease ended and was taken over records nothing (empty when nobody holds it).
    lease_token = models.CharField(_("jeton de prise"), max_length=32, blank=True)
    leased_by = models.CharField(_("pris par"), max_length=100, blank=True)
    # The letter that carries the temporary password instead, when the recipient's server
    # refused this email for good (docs/product.md §3's postal path). One letter waiting serves
    # every email refused meanwhile (delivery.services.letter_queue).
    fallback_letter = models.ForeignKey(
        "Letter",
        verbose_name=_("courrier de remplacement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_emails",
    )

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_email_due_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    def is_being_sent(self, *, at=None) -> bool:
        """Whether a worker holds this email's lease right now."""
        return bool(
            self.lease_token
            and self.next_attempt_at is not None
            and self.next_attempt_at > (at or timezone.now())
        )


class LetterBatch(models.Model):
    """A print run: which agent made it, when, how many letters; the PDF itself is not kept."""

    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    letter_count = models.PositiveIntegerField(_("nombre de courriers"), default=0)
    posted_at = models.DateTimeField(_("posté le"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posté par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lot de courriers")
        verbose_name_plural = _("lots de courriers")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} ({self.letter_count})"


class Letter(models.Model):
    """A letter with a temporary password, to the postal address on file."""

    class Status(models.TextChoices):
        PENDING = "pending", _("À imprimer")
        PRINTED = "printed", _("Imprimé")
        POSTED = "posted", _("Posté")
        CANCELLED = "cancelled", _("Annulé")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        on_delete=models.CASCADE,
        related_name="letters",
    )
    language = models.CharField(_("langue"), max_length=8, default="fr")
    reason = models.CharField(_("motif"), max_length=40, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    batch = models.ForeignKey(
        LetterBatch,
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="letters",
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    # The agent who asked for this letter by hand (a new password by post, an approved review
    # request); empty when the product queued it itself. Such a letter is printed only in a
    # batch made by another agent, or once a supervisor other than the requester approved it
    # (docs/product.md §8, delivery.selectors.letter_held_back).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approuvé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approuvé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("courrier")
        verbose_name_plural = _("courriers")
        ordering = ["created_at"]
        permissions = [("approve_letter", _("Approuver un courrier demandé par un autre agent"))]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.user} ({self.get_status_display()})"
