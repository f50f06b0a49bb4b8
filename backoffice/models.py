"""Two views of the one accounts table, so that permissions can tell them apart.

Agents of the « agent » group work on members' accounts; only the « superviseur » group
manages agents' accounts (docs/product.md §8). Proxy models: no table of their own.
"""

from django.utils.translation import gettext_lazy as _

from accounts.models import User, UserManager


class MemberAccountManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=User.Kind.MEMBER)


class AgentAccountManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=User.Kind.AGENT)


class MemberAccount(User):
    objects = MemberAccountManager()

    class Meta:
        proxy = True
        verbose_name = _("compte adhérent")
        verbose_name_plural = _("comptes adhérents")


class AgentAccount(User):
    objects = AgentAccountManager()

    class Meta:
        proxy = True
        verbose_name = _("compte agent")
        verbose_name_plural = _("comptes agents")
