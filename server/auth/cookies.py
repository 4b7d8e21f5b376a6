"""How a browser session travels: its secret in an HttpOnly cookie, and a CSRF token the page
reads from a second cookie and echoes in a header on every unsafe request.

The CSRF token is derived from the session's secret (HMAC-SHA256 under a fixed label), so nothing
extra is stored and no other site can compute it: it cannot read the cookie that holds the secret,
and it cannot read ours (SameSite=Strict keeps both off cross-site requests besides).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

SESSION_COOKIE: Final = "posbon_session"
CSRF_COOKIE: Final = "posbon_csrf"
CSRF_HEADER: Final = "x-csrf-token"
UNSAFE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CSRF_LABEL: Final = b"posbon csrf v1"


def csrf_of(secret: str) -> str:
    """The CSRF token that goes with a session secret."""
    return hmac.new(secret.encode(), _CSRF_LABEL, hashlib.sha256).hexdigest()


def csrf_matches(secret: str, presented: str) -> bool:
    return bool(presented) and hmac.compare_digest(csrf_of(secret), presented)
