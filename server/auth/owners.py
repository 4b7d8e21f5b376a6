"""The owner a principal acts for, by name: `crew:<id>` for a crew token, `token:<id>` otherwise.

A crew's tokens are re-issued (a lost tablet, a new shift), so what a crew's tablet writes
belongs to the crew, not to the token that sent it: a re-issued token keeps the crew's sync
devices, its recordings and its retried requests. Every other principal owns what it writes
through its own token. Sync binds devices to this name, custody names recording owners by it and
incidents key client operation ids with it; it lives here, with the principal, so that none of
them needs another for it.
"""

from __future__ import annotations

from server.auth.schemas import Principal, Role


def device_owner(who: Principal) -> str:
    """The owner a device of `who` is bound to: its crew (tokens get reissued), else the token."""
    if who.role is Role.CREW and who.crew_id is not None:
        return f"crew:{who.crew_id}"
    return f"token:{who.token_id}"
