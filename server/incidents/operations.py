"""Client operation ids (`op_id`): a retried request gets its first answer back, and no other
request ever sees that answer.

A key belongs to one caller and one incident. The caller is named by the owner it acts for
(server/auth/owners.py: `crew:<id>` for every tablet of a crew, so a re-issued token still
replays its crew's retries; `token:<id>` for everyone else). What is stored is the SHA-256 of
caller, incident and op_id (so another caller's identical op_id is simply another key), with the
SHA-256 of the request itself. The lookup runs only after the caller was allowed to act on the
incident. The same key with the same request replays the stored result; with a different
request it is refused with 409 `idempotency_key_reused`, never answered with the first result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Final

from server.auth.owners import device_owner
from server.auth.schemas import Principal
from server.chain import canonical_json, utc_text
from server.db import Database
from server.errors import Conflict
from server.incidents import repository
from server.incidents.schemas import Incident, ResolveIn, StatusIn

KEY_SEPARATOR: Final = "\x1f"  # cannot occur in an op_id's caller or incident parts


class Operation:
    """One keyed request: where it is stored and what it asked for."""

    def __init__(self, who: Principal, incident_id: int, body: StatusIn, op_id: str) -> None:
        scope = KEY_SEPARATOR.join((device_owner(who), f"incident:{incident_id}", op_id))
        self.op_id = op_id
        self.key = hashlib.sha256(scope.encode()).hexdigest()
        self.body = body

    def fingerprint(self, outcome: ResolveIn | None) -> str:
        asked = {
            "status": self.body.status.value,
            "note": self.body.note,
            "device_at": utc_text(self.body.device_at),
            "outcome": None if outcome is None else outcome.outcome.value,
            "notes": None if outcome is None else outcome.notes,
            "persons_detained": None if outcome is None else outcome.persons_detained,
        }
        return hashlib.sha256(canonical_json(asked).encode()).hexdigest()


def of(who: Principal, incident_id: int, body: StatusIn) -> Operation | None:
    return None if body.op_id is None else Operation(who, incident_id, body, body.op_id)


async def replay(db: Database, operation: Operation, fingerprint: str) -> Incident | None:
    """The stored result of this operation, if it was applied; refuses a reused key."""
    stored = await repository.find_operation(db, operation.key)
    if stored is None:
        return None
    stored_fingerprint, result = stored
    if stored_fingerprint != fingerprint:
        raise Conflict(
            f"op_id {operation.op_id} was already used for a different request on this "
            "incident; send a new op_id for a new change.",
            code="idempotency_key_reused",
        )
    return result


async def remember(db: Database, operation: Operation, fingerprint: str, result: Incident) -> None:
    await repository.insert_operation(
        db, operation.key, fingerprint, result, dt.datetime.now(dt.UTC)
    )
