"""What the fund paid its members, what it asks of contributors, and the attestations it
issued (docs/product.md §6, §13).

Payments and contributions come from the fund's extracts (payments.lines), written only by
the import; they point to the registry's Person or Company, so that no NIR or SIRET is kept
here at all. An attestation is a PDF made on demand and never stored: what is kept is what
« Vérifier une attestation » shows, and the digest of its verification code.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.models import Company, Person


class Payment(models.Model):
    """One payment (or recovery, when negative) of the payments extract."""

    class Nature(models.TextChoices):
        MALADIE = "maladie", _("Maladie")
        INDEMNITES_JOURNALIERES = "indemnites_journalieres", _("Indemnités journalières")
        RETRAITE = "retraite", _("Retraite")
        FAMILLE = "famille", _("Famille")
        INVALIDITE = "invalidite", _("Invalidité")
        ACCIDENT_TRAVAIL = "accident_travail", _("Accident du travail")
        AUTRE = "autre", _("Autre")

    # Checked by the import's join, not by a constraint whose check would cost a query per
    # row at the import's commit; the index is « Mes paiements »' below
    # (docs/decisions/payments-import-speed.md).
    person = models.ForeignKey(
        Person,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="payments",
        db_constraint=False,
        db_index=False,
    )
    # The fund's own id of the payment: the import's upsert key.
    reference = models.CharField(_("référence"), max_length=40)
    date_paiement = models.DateField(_("date du paiement"))
    montant = models.DecimalField(_("montant"), max_digits=12, decimal_places=2)
    nature = models.CharField(_("nature"), max_length=30, choices=Nature.choices)
    libelle = models.CharField(_("libellé"), max_length=200)
    periode_debut = models.DateField(_("début de la période"), null=True, blank=True)
    periode_fin = models.DateField(_("fin de la période"), null=True, blank=True)
    line_digest = models.CharField(_("empreinte de la ligne brute"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="payments_payment_reference_unique")
        ]
        # « Mes paiements » reads one person's payments, newest first.
        indexes = [models.Index(fields=["person", "-date_paiement"], name="payments_person_date")]

    def __str__(self):
        return f"{self.reference} {self.date_paiement} {self.montant}"


class Contribution(models.Model):
    """One call for contributions (cotisations) of the contributions extract."""

    class Status(models.TextChoices):
        A_PAYER = "a_payer", _("À payer")
        PAYE = "paye", _("Payé")
        EN_RETARD = "en_retard", _("En retard")
        ECHEANCIER = "echeancier", _("Échéancier accordé")

    # As Payment.person: checked by the import's join, indexed below.
    person = models.ForeignKey(
        Person,
        verbose_name=_("personne"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contributions",
        db_constraint=False,
        db_index=False,
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("entreprise"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contributions",
        db_constraint=False,
        db_index=False,
    )
    reference = models.CharField(_("référence"), max_length=40)
    # "2025", "2025-T1" (a quarter) or "2025-03" (a month), as in the extract.
    periode = models.CharField(_("période"), max_length=7)
    date_echeance = models.DateField(_("date d'échéance"))
    montant_appele = models.DecimalField(_("montant appelé"), max_digits=12, decimal_places=2)
    montant_paye = models.DecimalField(_("montant payé"), max_digits=12, decimal_places=2)
    statut = models.CharField(_("statut"), max_length=12, choices=Status.choices)
    line_digest = models.CharField(_("empreinte de la ligne brute"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("cotisation")
        verbose_name_plural = _("cotisations")
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], name="payments_contribution_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False, company__isnull=True)
                | Q(person__isnull=True, company__isnull=False),
                name="payments_contribution_one_holder",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "-date_echeance"], name="payments_contrib_person"),
            models.Index(fields=["company", "-date_echeance"], name="payments_contrib_company"),
        ]

    def __str__(self):
        return f"{self.reference} {self.periode}"

    @property
    def remaining(self):
        return max(self.montant_appele - self.montant_paye, 0)


class Attestation(models.Model):
    """An attestation the fund issued: what its verification shows, never the PDF itself."""

    class Kind(models.TextChoices):
        PAIEMENTS = "paiements", _("Attestation de paiements")
        AFFILIATION = "affiliation", _("Attestation d'affiliation")
        SITUATION = "situation", _("Attestation de situation (cotisations)")

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    # SHA-256 of the normalized code: the code carries 80 random bits (payments.codes), so
    # no key is needed to make the digest useless to someone who reads the table.
    code_digest = models.CharField(_("empreinte du code"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="attestations",
    )
    holder_initials = models.CharField(_("initiales du titulaire"), max_length=12)
    issued_at = models.DateTimeField(_("délivrée le"))
    period_start = models.DateField(_("début de la période"), null=True, blank=True)
    period_end = models.DateField(_("fin de la période"), null=True, blank=True)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("attestation délivrée")
        verbose_name_plural = _("attestations délivrées")
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.issued_at:%Y-%m-%d}"
