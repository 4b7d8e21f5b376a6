"""What a checked answer of the identity provider gets: a session, or a refusal on record.

The person's groups pick a role and districts by the role map (server/oidc/roles.py); then
their account is created or brought up to date (server/accounts) and a session opened, in one
transaction with its audit entry (`session.sign_in` "via oidc", written by open_session). A
refusal (no mapped group; a local account owns the name; a disabled account) is recorded as
`session.sign_in_failed` and raised as the ApiError the person reads.
"""

from __future__ import annotations

from server.accounts.service import external_user
from server.accounts.sessions import OpenedSession, open_session
from server.audit.log import record
from server.errors import ApiError, Forbidden
from server.oidc.client import Identity
from server.oidc.roles import RoleRule, granted
from server.state import AppState


async def sign_in(
    posbon: AppState, rules: tuple[RoleRule, ...], identity: Identity, *, address: str
) -> OpenedSession:
    grant = granted(rules, identity.groups)
    if grant is None:
        groups = ", ".join(identity.groups) or "none"
        await _refused(posbon, identity, address, f"oidc: no mapped group in {groups}")
        raise Forbidden(
            f"{identity.username} is in no group that gives access to Posbon; ask an "
            "administrator to add one of your groups to the role map.",
            code="oidc_no_role",
        )
    db = posbon.db
    try:
        async with db.write():
            account = await external_user(
                db,
                username=identity.username,
                display_name=identity.display_name,
                role=grant.role,
                scope=grant.scope,
            )
            return await open_session(db, posbon.settings, account, address=address, via="oidc")
    except ApiError as err:  # a local account has the name, or this one is disabled
        await _refused(posbon, identity, address, f"oidc: {err.code}")
        raise


async def _refused(posbon: AppState, identity: Identity, address: str, detail: str) -> None:
    async with posbon.db.write():
        await record(
            posbon.db,
            action="session.sign_in_failed",
            actor=identity.username,
            target=f"user:{identity.username}",
            outcome="refused",
            address=address,
            detail=detail,
        )
