"""Step 4's proofs, and the failed ones that hold an identity's few places for a day."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Proof(models.TextChoices):
    """The piece of information chosen at step 4 to prove who one is."""

    VITALE = "vitale", _("Numéro de série de la carte Vitale")
    IBAN = "iban", _("IBAN")
    AMOUNT = "amount", _("Montant du dernier paiement")
    EMPLOYER_ACCOUNT = "employer_account", _("Numéro de compte employeur")
    NONE = "none", _("Aucune")


class ProofFailure(models.Model):
    """A failed proof of identity, holding one of the identity's few places for a day.

    Registration and « Mot de passe oublié » share them: an identity has
    FAILED_VERIFICATIONS_LIMIT places (verification.services), a failure holds one until it
    expires, and with none free only the letter is offered. Kept in the database, not the
    cache: a limit on guesses must hold when guesses come all at once, and a cache may evict.
    Nothing but the identity's login digest is kept.

    Its table keeps the name it had when the registration owned it (docs/architecture.md).
    """

    login = models.CharField(_("identité (empreinte)"), max_length=64)
    slot = models.PositiveSmallIntegerField(_("place"))
    expires_at = models.DateTimeField(_("expire le"))

    class Meta:
        db_table = "signup_prooffailure"
        verbose_name = _("échec de vérification")
        verbose_name_plural = _("échecs de vérification")
        constraints = [
            models.UniqueConstraint(fields=["login", "slot"], name="proof_failure_slot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.login[:8]}… #{self.slot}"
