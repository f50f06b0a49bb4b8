"""The letter that confirms an accepted bank-details change (docs/product.md §13), a notice letter
of delivery/letters.py: no temporary password, sent to the postal address on file, so that
someone who took over the account cannot divert the payments without the member knowing."""

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from delivery.letters import notice_maker
from delivery.models import Letter
from delivery.pdf import LetterPage

from .services import BANK_LETTER_REASON


@notice_maker(BANK_LETTER_REASON)
def bank_details_letter(letter: Letter, address_lines: list[str]) -> LetterPage:
    fund = settings.FUND
    user = letter.user
    language = letter.language if letter.language in dict(settings.LANGUAGES) else "fr"
    with translation.override(language):
        reference = _("Référence : %(identifier)s") % {"identifier": user.identifier_masked}
        return LetterPage(
            sender_lines=[fund["long_name"], *([fund["parent"]] if fund["parent"] else [])]
            + list(fund["address_lines"])
            + [_("Téléphone : %(phone)s") % {"phone": fund["phone"]}, fund["email"]],
            address_lines=address_lines,
            date_line=_("Le %(date)s")
            % {"date": formats.date_format(timezone.localdate(), "j F Y")},
            subject=_("Objet : changement de vos coordonnées bancaires"),
            reference_template=reference,
            reference=reference,
            salutation=_("Madame, Monsieur,"),
            intro=_(
                "Vous avez demandé depuis Mon espace privé que vos paiements soient versés sur "
                "un nouveau compte bancaire. La %(fund)s a accepté cette demande : les prochains "
                "paiements seront versés sur ce compte dès qu'elle l'aura enregistré."
            )
            % {"fund": fund["long_name"]},
            password_label="",
            password="",
            password_hint="",
            character_names={},
            expiry="",
            how_title=_("Vous n'êtes pas à l'origine de cette demande ?"),
            how_steps=[
                _("Appelez-nous sans attendre au %(phone)s, %(hours)s.")
                % {"phone": fund["phone"], "hours": _(fund["hours"])},
                _("Nous bloquerons le changement et l'accès à votre espace le temps de vérifier."),
            ],
            warning=_(
                "La caisse ne vous demandera jamais votre mot de passe, ni par téléphone, ni "
                "par email."
            ),
            contact_title=_("Nous contacter"),
            contact_lines=[
                _("Email : %(email)s") % {"email": fund["email"]},
                _("Adresse : %(address)s") % {"address": ", ".join(fund["address_lines"])},
            ],
            closing=_("Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées."),
            signature=[_("Le service Mon espace privé"), fund["name"]],
            footer=fund["long_name"],
            colour=fund["colour_primary"],
        )
