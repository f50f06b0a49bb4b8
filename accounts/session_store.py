"""Django's database sessions, refusing a cookie that no session key could be.

A cookie is whatever the browser sends: a key holding a NUL byte (which PostgreSQL refuses in
text: every page would fail) or any character Django never puts in a key is taken for no
session at all, and never reaches the database.

Django's own store otherwise, as it is: a raw INSERT of the new session at login bought 3 %
of a login (bench/login_parts.py, README « How fast »), too little to step around the ORM.
"""

import re

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

_WELL_FORMED_KEY = re.compile(f"[{re.escape(VALID_KEY_CHARS)}]{{8,40}}")


class SessionStore(DatabaseSessionStore):
    def __init__(self, session_key=None):
        if session_key is not None and not _WELL_FORMED_KEY.fullmatch(session_key):
            session_key = None
        super().__init__(session_key)
