"""Access to the member's pages."""

from django.contrib.auth.decorators import user_passes_test

# Every page of the private space: a logged-in member; anyone else goes to the login page,
# and comes back here once logged in. An agent's back-office session is not a member's.
member_required = user_passes_test(lambda user: user.is_authenticated and user.is_member)
