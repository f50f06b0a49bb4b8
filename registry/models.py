"""The fund's extract of the people and companies it covers (docs/product.md §6).

Identifiers and verification secrets are kept only as keyed digests (docs/product.md §5): the NIR,
the Vitale serial, the IBAN, the last payment's amount and the employer account number never reach
the database in clear.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.TextChoices):
    """The profiles a person can hold in the registry (column `profils`)."""

    PARTICULIER = "particulier", _("Particulier")
    EXPLOITANT = "exploitant", _("Exploitant agricole")
    EMPLOYEUR_JARDINIER = "employeur_jardinier", _("Employeur de jardinier en tant que particulier")
    COTISANT_SOLIDARITE = "cotisant_solidarite", _("Cotisant de solidarité")


ADDRESS_LINE_MAX = 100


class PostalAddress(models.Model):
    """Address lines per NF Z10-011: 2 complement, 3 building, 4 street, 5 lieu-dit or BP.

    The standard's 38 characters are the printed width; the core system may hold longer lines
    (a long street name), kept whole here and abbreviated by La Poste's rules on the letter
    (delivery.postal), never refused or cut.
    """

    adresse_2 = models.CharField(_("complément d'adresse"), max_length=ADDRESS_LINE_MAX, blank=True)
    adresse_3 = models.CharField(_("bâtiment"), max_length=ADDRESS_LINE_MAX, blank=True)
    adresse_4 = models.CharField(_("numéro et voie"), max_length=ADDRESS_LINE_MAX, blank=True)
    adresse_5 = models.CharField(
        _("lieu-dit ou boîte postale"), max_length=ADDRESS_LINE_MAX, blank=True
    )
    code_postal = models.CharField(_("code postal"), max_length=10, blank=True)
    commune = models.CharField(_("commune"), max_length=60, blank=True)
    pays = models.CharField(_("pays"), max_length=60, blank=True)

    class Meta:
        abstract = True

    def address_lines(self) -> list[str]:
        """The address as held, its empty lines left out (for reading on a page, not printing:
        a letter's block follows delivery.postal)."""
        lines = [self.adresse_2, self.adresse_3, self.adresse_4, self.adresse_5]
        lines += [f"{self.code_postal} {self.commune}".strip(), self.pays]
        return [line for line in lines if line]


class Person(PostalAddress):
    """A person of the fund's extract, written only by the import (registry.services)."""

    class VitaleCard(models.TextChoices):
        PHOTO = "photo", _("avec photo")
        SANS_PHOTO = "sans_photo", _("sans photo")
        NONE = "", _("aucune")

    nir_digest = models.CharField(_("empreinte du NIR"), max_length=64)
    nir_masked = models.CharField(_("NIR masqué"), max_length=24)
    nom = models.CharField(_("nom"), max_length=100)
    prenoms = models.CharField(_("prénoms"), max_length=150)
    date_naissance = models.DateField(_("date de naissance"))
    email = models.EmailField(_("adresse email"), blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    affilie_sante = models.BooleanField(_("affilié à la MSA pour la santé"), default=False)
    carte_vitale = models.CharField(
        _("carte Vitale"), max_length=10, choices=VitaleCard.choices, blank=True
    )
    vitale_serial_digest = models.CharField(
        _("empreinte du numéro de série Vitale"), max_length=64, blank=True
    )
    iban_digest = models.CharField(_("empreinte de l'IBAN"), max_length=64, blank=True)
    # Keyed digest of the last payment's amount, "123.45" (docs/product.md §5): a proof of step 4.
    last_payment_digest = models.CharField(
        _("empreinte du dernier paiement"), max_length=64, blank=True
    )
    # Comma-separated Profile values, as in the extract.
    profils = models.CharField(_("profils"), max_length=120)
    # Keyed digest of the raw line last imported: the next import skips that line unparsed.
    # Whatever changes a row besides the import must clear it. Not indexed: the import
    # joins on it once, by hash.
    line_digest = models.CharField(_("empreinte de la ligne brute"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("personne du registre")
        verbose_name_plural = _("personnes du registre")
        # A constraint rather than unique=True: on PostgreSQL, a unique field also gets a
        # second index for LIKE searches, which a digest never needs and every import feeds.
        constraints = [
            models.UniqueConstraint(fields=["nir_digest"], name="registry_person_nir_unique")
        ]

    def __str__(self):
        return f"{self.nir_masked} {self.nom}"

    @property
    def profile_list(self) -> list[str]:
        return [p for p in self.profils.split(",") if p]


class Company(PostalAddress):
    """A company of the fund's extract, written only by the import (registry.services)."""

    siret = models.CharField(_("SIRET"), max_length=14, unique=True)
    raison_sociale = models.CharField(_("raison sociale"), max_length=150)
    email = models.EmailField(_("adresse email"), blank=True)
    employer_account_digest = models.CharField(
        _("empreinte du numéro de compte employeur"), max_length=64, blank=True
    )
    line_digest = models.CharField(_("empreinte de la ligne brute"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("entreprise du registre")
        verbose_name_plural = _("entreprises du registre")

    def __str__(self):
        return f"{self.siret} {self.raison_sociale}"


class RegistryImport(models.Model):
    """One run of import_registry: what was read, what changed, what was rejected and why."""

    class Kind(models.TextChoices):
        PERSONS = "persons", _("Personnes")
        COMPANIES = "companies", _("Entreprises")
        PAYMENTS = "payments", _("Paiements")
        CONTRIBUTIONS = "contributions", _("Cotisations")

    class Status(models.TextChoices):
        # An extract uploaded in the back-office, waiting for a worker (registry.tasks).
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        REFUSED = "refused", _("Refusé")
        FAILED = "failed", _("Échec")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    file_name = models.CharField(_("fichier"), max_length=255)
    started_at = models.DateTimeField(_("commencé le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    created = models.PositiveIntegerField(_("créées"), default=0)
    updated = models.PositiveIntegerField(_("mises à jour"), default=0)
    unchanged = models.PositiveIntegerField(_("inchangées"), default=0)
    rejected = models.PositiveIntegerField(_("rejetées"), default=0)
    # [{"line": 12, "reason": "..."}]; reasons never quote a NIR, serial or IBAN.
    rejected_lines = models.JSONField(_("lignes rejetées"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    # The process running the import: without PostgreSQL's locks (SQLite, on one machine),
    # how a later import or the back-office tells that it was killed.
    pid = models.PositiveIntegerField(_("processus"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("import du registre")
        verbose_name_plural = _("imports du registre")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.file_name} {self.started_at:%Y-%m-%d %H:%M}"
