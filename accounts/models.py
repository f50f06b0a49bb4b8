"""Member and agent accounts, and the temporary passwords sent to members (docs/product.md §4)."""

import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


def new_session_salt() -> str:
    return secrets.token_hex(16)


class UserManager(BaseUserManager):
    def create_user(self, login, password=None, **fields):
        user = self.model(login=login, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, login, password=None, **fields):
        fields.update(kind=User.Kind.AGENT, is_staff=True, is_superuser=True)
        return self.create_user(login, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """One table for both kinds of account, kept apart by `kind`.

    A member's `login` is the keyed digest of their identifier (NIR or SIRET): the identifier
    itself is never stored (docs/product.md §5). An agent's `login` is their agent user name.
    Members never reach the back-office (is_staff stays False) and agents never log in as members.
    """

    class Kind(models.TextChoices):
        MEMBER = "member", _("Adhérent")
        AGENT = "agent", _("Agent de la caisse")

    class IdentifierType(models.TextChoices):
        NIR = "nir", _("Numéro de Sécurité Sociale")
        SIRET = "siret", _("SIRET")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        POST = "post", _("Courrier")
        REVIEW = "review", _("Examen par un agent")

    login = models.CharField(_("identifiant"), max_length=150, unique=True)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.MEMBER)
    identifier_type = models.CharField(
        _("type d'identifiant"), max_length=5, choices=IdentifierType.choices, blank=True
    )
    identifier_masked = models.CharField(_("identifiant masqué"), max_length=40, blank=True)
    profile = models.CharField(_("profil"), max_length=30, blank=True)
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("personne du registre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    company = models.ForeignKey(
        "registry.Company",
        verbose_name=_("entreprise du registre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    last_name = models.CharField(_("nom"), max_length=100, blank=True)
    email = models.EmailField(_("adresse email"), blank=True)
    email_confirmed = models.BooleanField(_("adresse email confirmée"), default=False)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    language = models.CharField(_("langue"), max_length=8, default="fr")
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices, blank=True)
    must_change_password = models.BooleanField(_("doit choisir son mot de passe"), default=False)
    cgu_version = models.CharField(_("version des CGU acceptée"), max_length=20, blank=True)
    cgu_accepted_at = models.DateTimeField(_("CGU acceptées le"), null=True, blank=True)
    # What the account's sessions are signed with: a new salt ends every other session
    # (see _get_session_auth_hash).
    session_salt = models.CharField(max_length=32, default=new_session_salt, editable=False)
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("agent de la caisse"), default=False)
    date_joined = models.DateTimeField(_("date de création"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "login"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="member", is_staff=True), name="member_is_never_staff"
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.AGENT:
            return self.login
        return f"{self.identifier_masked} {self.first_name} {self.last_name}".strip()

    @property
    def is_member(self) -> bool:
        return self.kind == self.Kind.MEMBER

    # Django signs each session with an HMAC of the password hash, so that a new password ends
    # every session. Here the HMAC is of `session_salt`, which a new password renews too, but
    # which can also be renewed alone (« end my other sessions ») or kept across a password
    # change when the member chooses to stay logged in elsewhere (OWASP ASVS 3.3.3).

    def _get_session_auth_hash(self, secret=None):
        return salted_hmac(
            "accounts.User.session",
            f"{self.pk}:{self.session_salt}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def sessions_renew(self) -> None:
        """End every session but those re-signed afterwards (update_session_auth_hash)."""
        self.session_salt = new_session_salt()

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.sessions_renew()

    def set_unusable_password(self):
        super().set_unusable_password()
        self.sessions_renew()

    def check_password(self, raw_password):
        def setter(raw_password):
            # A hash upgraded to new parameters is the same password: sessions stay.
            salt = self.session_salt
            self.set_password(raw_password)
            self.session_salt = salt
            self._password = None
            self.save(update_fields=["password"])

        return check_password(raw_password, self.password, setter)


class TemporaryPassword(models.Model):
    """A temporary password: only its keyed digest, created when the email or letter goes out.

    At most one is valid per account: issuing a new one voids the others (docs/product.md §4). Every
    read and write goes through accounts.passwords, which also recognises the argon2id hashes
    of codes issued before the digests (docs/decisions/temporary-passwords-as-keyed-digests.md).
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        POST = "post", _("Courrier")

    user = models.ForeignKey(
        User, verbose_name=_("compte"), on_delete=models.CASCADE, related_name="temporary_passwords"
    )
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    password_hash = models.CharField(_("empreinte du mot de passe"), max_length=200)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)
    voided_at = models.DateTimeField(_("annulé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("mot de passe provisoire")
        verbose_name_plural = _("mots de passe provisoires")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.get_channel_display()} {self.created_at:%Y-%m-%d %H:%M}"

    def is_valid(self, at=None) -> bool:
        at = at or timezone.now()
        return self.used_at is None and self.voided_at is None and self.expires_at > at


class EmailChange(models.Model):
    """A new contact address waiting for its owner to follow the link sent to it.

    The link's token is not stored: it is an HMAC of this row under SECRET_KEY
    (accounts.tokens), so the email task can rebuild it from the row's id alone and nothing
    secret sits in the outbox. The row says whether the link was used, and when it expires.
    """

    user = models.ForeignKey(
        User, verbose_name=_("compte"), on_delete=models.CASCADE, related_name="email_changes"
    )
    new_email = models.EmailField(_("nouvelle adresse email"))
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)
    # A newer request for the same account replaces this one.
    voided_at = models.DateTimeField(_("annulé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("changement d'adresse email")
        verbose_name_plural = _("changements d'adresse email")

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class LoginCounter(models.Model):
    """Failed logins counted behind one door (docs/product.md §4, OWASP « device cookies »).

    An account has one counter for every browser it does not know (`UNKNOWN_BROWSERS`) and
    one per device that logged in to it before (`DEVICE`, the device cookie's nonce); a
    client network has one too (`CLIENT`, failures whatever the accounts). A success resets
    its counter; purge_expired deletes every counter a day after its last attempt.
    """

    class Scope(models.TextChoices):
        UNKNOWN_BROWSERS = "browsers", _("navigateurs inconnus")
        DEVICE = "device", _("appareil connu")
        CLIENT = "client", _("réseau du client")

    scope = models.CharField(_("porte"), max_length=10, choices=Scope.choices)
    # The account's login (a member's digest, « agent:<name> » for an agent), or the client's
    # network (an IPv4 address, an IPv6 /64).
    key = models.CharField(_("clé"), max_length=160)
    device = models.CharField(_("appareil"), max_length=32, blank=True)
    failures = models.PositiveIntegerField(_("échecs"), default=0)
    first_failure_at = models.DateTimeField(_("premier échec"), default=timezone.now)
    last_failure_at = models.DateTimeField(_("dernier échec"), default=timezone.now)
    locked_until = models.DateTimeField(_("bloqué jusqu'à"), null=True, blank=True)

    class Meta:
        verbose_name = _("compteur d'échecs de connexion")
        verbose_name_plural = _("compteurs d'échecs de connexion")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "device"], name="one_counter_a_door")
        ]
        indexes = [models.Index(fields=["last_failure_at"])]

    def __str__(self):
        return f"{self.scope} {self.failures}"
