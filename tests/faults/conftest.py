"""The fault suite needs PostgreSQL: real processes share the test database with the test.

On SQLite it is skipped, loudly; with REQUIRE_FAULTS=1 (CI) that is a failure instead.
`make test` runs a bounded form (FAULT_RUNS, 3 runs); `make faults` the full one.
"""

import os
import random

import pytest


@pytest.fixture(autouse=True)
def _postgresql_only(settings):
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        message = "The fault suite needs PostgreSQL (DATABASE_URL): FAULT SUITE SKIPPED."
        if os.environ.get("REQUIRE_FAULTS") == "1":
            pytest.fail(message + " REQUIRE_FAULTS=1 makes this a failure.")
        print("\n" + "!" * 72 + "\n" + message + "\n" + "!" * 72)
        pytest.skip(message)


@pytest.fixture
def rng():
    """A seeded random source; the seed is printed, FAULT_SEED=… replays a run."""
    seed = int(os.environ.get("FAULT_SEED") or random.SystemRandom().randrange(10**6))
    print(f"\nFAULT_SEED={seed}")
    return random.Random(seed)
