"""Ma messagerie and the change requests (docs/product.md §13): what members write to the fund.

Message bodies and attachments are personal data kept for a stated time (core/retention.py);
a new IBAN is kept sealed (docs/decisions/change-requests-bank-details.md), never in clear.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def attachments_storage():
    # Its own alias (settings.STORAGES["attachments"]): outside the web root, never served by
    # whitenoise, and replaceable by an S3-type storage without touching the code.
    return storages["attachments"]


class Subject(models.TextChoices):
    """The subjects a member writes under (docs/product.md §13's list)."""

    PAYMENTS = "paiements", _("Mes paiements")
    AFFILIATION = "affiliation", _("Mon affiliation")
    CONTRIBUTIONS = "cotisations", _("Mes cotisations")
    ADDRESS = "adresse", _("Changer mon adresse")
    BANK_DETAILS = "banque", _("Changer mes coordonnées bancaires")
    OTHER = "autre", _("Autre")


class Thread(models.Model):
    """A conversation between one member and the fund, under one subject."""

    class Status(models.TextChoices):
        # The labels are the member's words; the queue names them too.
        NEW = "new", _("Envoyé")
        IN_PROGRESS = "in_progress", _("En cours")
        ANSWERED = "answered", _("Réponse disponible")
        CLOSED = "closed", _("Clos")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adhérent"),
        on_delete=models.CASCADE,
        related_name="threads",
    )
    subject = models.CharField(_("objet"), max_length=20, choices=Subject.choices)
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    last_message_at = models.DateTimeField(_("dernier message"), default=timezone.now)
    # Since when the member waits for the fund: their first message not yet answered.
    waiting_since = models.DateTimeField(_("en attente depuis"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)

    class Meta:
        verbose_name = _("échange")
        verbose_name_plural = _("messagerie")
        ordering = ["-last_message_at"]
        indexes = [
            models.Index(fields=["status", "waiting_since"]),
            models.Index(fields=["member", "-last_message_at"]),
        ]

    def __str__(self):
        return f"{self.get_subject_display()} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED


class Message(models.Model):
    """One message of a thread, written by the member or by an agent."""

    thread = models.ForeignKey(
        Thread, verbose_name=_("échange"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_fund = models.BooleanField(_("de la caisse"), default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.thread_id} {self.created_at:%Y-%m-%d %H:%M}"


class ChangeRequest(models.Model):
    """« Changer mon adresse » or « Changer mes coordonnées bancaires »: a request, not an edit.

    The fund's core system is the master of both (docs/product.md §13): an accepted request is
    exported for it (`manage.py export_changes`), and the next registry import that shows the change
    settles the request.
    """

    class Kind(models.TextChoices):
        ADDRESS = "address", _("Changement d'adresse")
        BANK_DETAILS = "bank_details", _("Changement de coordonnées bancaires")

    class Status(models.TextChoices):
        PENDING = "pending", _("En cours d'examen")
        ACCEPTED = "accepted", _("Acceptée")
        REFUSED = "refused", _("Refusée")
        SETTLED = "settled", _("Enregistrée par la caisse")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adhérent"),
        on_delete=models.CASCADE,
        related_name="change_requests",
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # The new address, as NF Z10-011 lines 2 to 6 and the country (delivery/postal.py).
    address = models.JSONField(_("nouvelle adresse"), default=dict, blank=True)
    # The new IBAN: sealed with BANK_DETAILS_KEY until exported and settled; its keyed digest
    # recognises it in the registry; its masked form is what people see.
    iban_sealed = models.TextField(_("IBAN chiffré"), blank=True, editable=False)
    iban_digest = models.CharField(_("empreinte de l'IBAN"), max_length=64, blank=True)
    iban_masked = models.CharField(_("IBAN masqué"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    refusal_reason = models.TextField(_("motif du refus"), blank=True)
    exported_at = models.DateTimeField(_("exportée le"), null=True, blank=True)
    settled_at = models.DateTimeField(_("enregistrée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande de changement")
        verbose_name_plural = _("demandes de changement")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "decided_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class Attachment(models.Model):
    """A document a member or an agent sent: a message's, or a change request's statement."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adhérent"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    change_request = models.ForeignKey(
        ChangeRequest,
        verbose_name=_("demande"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("fichier"), storage=attachments_storage, max_length=200)
    name = models.CharField(_("nom"), max_length=120)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("taille"))
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["pk"]

    def __str__(self):
        return self.name


@receiver(post_delete, sender=Attachment)
def _attachment_file_delete(sender, instance: Attachment, **kwargs) -> None:
    # The file goes with its row, whichever deletion took the row (a retention rule, a refused
    # request, an account closed by a supervisor, by cascade), once that deletion is committed:
    # a rolled-back deletion keeps its file. Storage, not business logic: no service is skipped.
    name = instance.file.name
    transaction.on_commit(lambda: attachments_storage().delete(name))
