"""Django's database sessions, minus the queries a login does not need (an adapter, as
docs/product.md §12 allows).

A login with Django's own store writes its new session in five statements (the key looked
up, then an INSERT and an UPDATE, each in its transaction); this store writes it in one. That
buys 3 to 11 % of a whole login with its argon2id hash, 6 % in the median of four runs
(bench/login_parts.py, README « How fast »): above the 5 % docs/product.md §12 asks of a
shortcut that steps around a library. It relies on Django's session store internals (`_get_session`,
`_get_new_session_key`, `cycle_key`'s behaviour): tests/accounts/test_session_store.py pins
the Django version it was checked with and checks that Django's own store reads what this one
writes.

- A new key is not looked up before it is inserted: the INSERT fails on a collision (one in
  2^165) and Django tries another key, as it does anyway.
- A session that has no key yet has nothing to rotate at login: its key is made when the
  session middleware writes it, once, at the end of the request. A session that had a key (an
  anonymous visitor's) still gets a new one, so that nobody can plant a session key (fixation).
- That first write is one INSERT, outside any transaction, without the ORM's machinery.
- A cookie that no key could be (a NUL byte, which PostgreSQL refuses in text, or any other
  character Django never puts in a key) is no session, and never reaches the database.
"""

import re

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import IntegrityError, connections, router, transaction
from django.utils.crypto import get_random_string

_WELL_FORMED_KEY = re.compile(f"[{re.escape(VALID_KEY_CHARS)}]{{8,40}}")


class SessionStore(DatabaseSessionStore):
    def __init__(self, session_key=None):
        # A cookie is whatever the browser sends: a key that Django could not have made (a NUL
        # byte, which PostgreSQL refuses in text, or any other character) is no session, and
        # never reaches the database.
        if session_key is not None and not _WELL_FORMED_KEY.fullmatch(session_key):
            session_key = None
        super().__init__(session_key)

    def _get_new_session_key(self):
        return get_random_string(32, VALID_KEY_CHARS)

    def cycle_key(self):
        if self.session_key is None:
            self.modified = True
            return
        super().cycle_key()

    def save(self, must_create=False):
        using = router.db_for_write(self.model)
        if must_create and self.session_key and transaction.get_autocommit(using):
            # A lone INSERT needs no transaction of its own (Django opens one so that a
            # failure cannot break an enclosing transaction; there is none here), nor the
            # ORM's machinery: this runs at every login.
            table = self.model._meta.db_table
            row = [
                self.session_key,
                self.encode(self._get_session(no_load=True)),
                self.get_expiry_date(),
            ]
            try:
                with connections[using].cursor() as cursor:
                    cursor.execute(
                        f"INSERT INTO {table} (session_key, session_data, expire_date) "  # noqa: S608
                        "VALUES (%s, %s, %s)",
                        row,
                    )
            except IntegrityError:
                raise CreateError from None
            return
        return super().save(must_create=must_create)
