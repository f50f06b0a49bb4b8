"""Password rules beyond Django's: not close to the person's own data (ASVS 2.1, ANSSI)."""

from django.contrib.auth.password_validation import UserAttributeSimilarityValidator


class PersonalDataValidator(UserAttributeSimilarityValidator):
    DEFAULT_USER_ATTRIBUTES = ("first_name", "last_name", "email")

    def __init__(self, user_attributes=DEFAULT_USER_ATTRIBUTES, max_similarity=0.7):
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)
