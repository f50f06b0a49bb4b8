"""Authentication of members by their identifier (NIR or SIRET)."""

from django.contrib.auth.backends import ModelBackend


class MemberBackend(ModelBackend):
    """Members log in with the digest of their identifier; agents never through here."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and user.is_member


class AgentBackend(ModelBackend):
    """Agents of the fund log in to the back-office with their agent name; members never do."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not user.is_member
