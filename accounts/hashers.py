"""The one place where the argon2id cost is set (docs/product.md §4).

Memory 19 MiB, 2 passes, parallelism 1: OWASP's recommended minimum for argon2id, accepted by
ASVS 5.0 appendix C. Django's own default (100 MiB, parallelism 8) costs several times more
CPU and memory per login for no standard's gain.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    algorithm = "argon2"  # same encoded prefix as Django's, so hashes stay interchangeable
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
