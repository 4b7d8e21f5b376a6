"""`record`: append one entry to the audit log, inside the caller's write.

Call it inside the `db.write()` that makes the change, so the change and its entry commit
together or not at all ("no entry, no change"):

    async with db.write():
        site = await repository.update(db, ...)
        await record(db, action="site.update", actor=principal, target=f"site:{id}",
                     before=old, after=site)

Actions are dotted and lowercase: `<what>.<verb>` ("site.update", "session.sign_in",
"face_crop.view", "export.audit"). `before`/`after` take the output Structs (or anything msgspec
encodes); text in fields named like a secret is replaced by "[redacted]" wherever it appears, as
a last guard: a caller records that a key changed ("device.key_change"), never the key.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import re
from typing import Final, Protocol

import msgspec

from server.audit import repository
from server.audit.schemas import AuditFacts
from server.chain import canonical_json
from server.db import Database

__all__ = ["ACTION", "Actor", "audit_import", "cli_actor", "record", "without_secrets"]

ACTION: Final = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
REDACTED: Final = "[redacted]"
_SECRET_NAMES: Final = re.compile(
    r"^(key|secret|password|passphrase|token|totp|otp|pin)$"
    r"|_(key|secret|password|token|hash)$|^(password|secret|totp)_"
)
MAX_TEXT_CHARS: Final = 500


class Actor(Protocol):
    """Who acts, as server/auth/schemas.py `Principal` says it (this package sits below the
    domains and imports none of them, auth included: auth records its token changes here)."""

    @property
    def token_id(self) -> int: ...

    @property
    def user_id(self) -> int | None: ...

    @property
    def role(self) -> str: ...

    @property
    def actor(self) -> str: ...


async def record(
    db: Database,
    *,
    action: str,
    actor: Actor | str,
    target: str = "",
    before: object = None,
    after: object = None,
    outcome: str = "ok",
    address: str = "",
    detail: str = "",
) -> None:
    """Append one entry; must run inside `db.write()` (it joins that transaction). `actor` is
    the caller's Principal, or a name for whoever has none ("cli:<os user>", "system")."""
    if not ACTION.match(action):
        raise ValueError(f"audit action {action!r} is not dotted lowercase")
    if isinstance(actor, str):
        name, token_id, user_id, role = actor, None, None, ""
    else:
        name, token_id, user_id, role = actor.actor, actor.token_id, actor.user_id, actor.role
    await repository.append(
        db,
        AuditFacts(
            at=dt.datetime.now(dt.UTC),
            actor=name[:MAX_TEXT_CHARS],
            actor_token_id=token_id,
            user_id=user_id,
            role=str(role),
            action=action,
            target=target[:MAX_TEXT_CHARS],
            outcome=outcome,
            address=address[:MAX_TEXT_CHARS],
            before=_stored(before),
            after=_stored(after),
            detail=detail[:MAX_TEXT_CHARS],
        ),
    )


def cli_actor() -> str:
    """Who runs a `posbon` command: "cli:<os user>"."""
    user = "unknown"
    with contextlib.suppress(OSError, KeyError):  # no name for the uid (a bare container)
        user = getpass.getuser()
    return f"cli:{user}"


async def audit_import(db: Database, what: str, actor: Actor | str, report: object) -> None:
    """One entry for a whole CSV import of `what` ("sites", "devices" …) with its counts: its
    rows are written in many bulk batches, and one entry per row would swamp the log."""
    async with db.write():
        await record(
            db,
            action=f"{what.removesuffix('s')}.import",
            actor=actor,
            after=report,
            detail=str(getattr(report, "detail", "")),
        )


def _stored(value: object) -> str:
    return canonical_json(without_secrets(msgspec.to_builtins(value)))


def without_secrets(value: object) -> object:
    """`value` (plain JSON builtins) with every field named like a secret redacted."""
    if isinstance(value, dict):
        return {
            name: REDACTED
            if isinstance(inner, str) and inner and _SECRET_NAMES.search(str(name).lower())
            else without_secrets(inner)
            for name, inner in value.items()
        }
    if isinstance(value, list):
        return [without_secrets(inner) for inner in value]
    return value
