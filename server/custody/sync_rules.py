"""Recording mutations that arrive by sync answer to the recording rules and land on the
custody log.

A push may create a recording, change its curated metadata (title, incident, access class …),
void it or restore it. Before anything is written (the contract of `sync.rules.OnApply`), the
caller must be allowed by server/custody/access.py: a recording that exists already may be
created again (a retried create) only by its owner, changed only by its owner, an admin, or a
dispatcher when it is normal, and voided or restored once verified only by an admin. A refusal
is a rejected mutation (`scope_forbidden`) that the device and the dispatcher both see.

Every accepted change, void and restore is a custody entry in the push's own transaction: who,
from which device, and the values sent, so the hash-chained log tells the recording's whole
story, not only its upload.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Final

import msgspec

from server.auth.schemas import Principal
from server.custody import repository
from server.custody.access import RecordingAccess, access_class_of, change_refusal
from server.custody.schemas import CustodyFacts, CustodyKind
from server.db import Database
from server.sync import push_rules
from server.sync.push_rules import OwnerOf, PushCaller
from server.sync.scopes import Lookup, recording_creator
from sync.entities import EntityKind
from sync.errors import MutationRejectedError, RejectionCode
from sync.merge import EntityState
from sync.mutations import (
    AnyMutation,
    EntityRestoreV1,
    EntityVoidV1,
    Receipt,
    RecordingCreateV1,
    RecordingUpdateV1,
)
from sync.rules import OnApply
from sync.schema import VERIFIED_SHA256

RULES_NAME: Final = "recordings"


def register() -> None:
    """Have every sync push run the recording rules (server/sync/push_rules.py). Idempotent;
    server/app.py calls it as it composes a node."""
    push_rules.register(RULES_NAME, _for_push)


def _for_push(caller: PushCaller) -> OnApply:
    return RecordingRules(caller.db, caller.who, caller.lookup, caller.owner_of)


class RecordingRules:
    """`sync.rules.OnApply` for one push: recording ownership, access class and custody."""

    def __init__(self, db: Database, who: Principal, lookup: Lookup, owner_of: OwnerOf) -> None:
        self._db = db
        self._who = who
        self._lookup = lookup
        self._owner_of = owner_of

    async def __call__(self, mutation: AnyMutation, receipt: Receipt) -> None:
        match mutation:
            case RecordingCreateV1():
                await self._allowed(mutation.entity_id, voiding=False)
            case RecordingUpdateV1(fields=fields):
                if await self._allowed(mutation.entity_id, voiding=False):
                    changed = msgspec.to_builtins(fields)
                    await self._log(mutation, receipt, CustodyKind.METADATA_CHANGED, changed)
            case (
                EntityVoidV1(entity=EntityKind.RECORDING)
                | EntityRestoreV1(entity=EntityKind.RECORDING)
            ):
                if await self._allowed(mutation.entity_id, voiding=True):
                    voided = isinstance(mutation, EntityVoidV1)
                    kind = CustodyKind.VOIDED if voided else CustodyKind.RESTORED
                    await self._log(mutation, receipt, kind, {})
            case _:
                return

    async def _access(self, state: EntityState) -> RecordingAccess:
        creator = recording_creator(state)
        access_class = state.fields.get("access_class")
        verified = state.fields.get(VERIFIED_SHA256)
        return RecordingAccess(
            recording_id=str(state.entity_id),
            owner=None if creator is None else await self._owner_of(creator),
            access_class=access_class_of(None if access_class is None else access_class.value),
            verified=verified is not None and verified.value is not None,
        )

    async def _allowed(self, recording_id: uuid.UUID, *, voiding: bool) -> bool:
        """Refuse what the caller may not do; False for a recording that does not exist yet
        (a create; the engine refuses an edit of one that does not exist)."""
        state = self._lookup(EntityKind.RECORDING, recording_id)
        if state is None:
            return False
        refusal = change_refusal(self._who, await self._access(state), voiding=voiding)
        if refusal is not None:
            raise MutationRejectedError(RejectionCode.SCOPE_FORBIDDEN, refusal)
        return True

    async def _log(
        self, mutation: AnyMutation, receipt: Receipt, kind: CustodyKind, values: dict[str, Any]
    ) -> None:
        at = dt.datetime.fromtimestamp(receipt.server_now_ms / 1000, dt.UTC)
        data: dict[str, Any] = {
            "device": str(receipt.device_id),
            "mutation": str(mutation.mutation_id),
        }
        if values:
            data["fields"] = values
        await repository.append(
            self._db,
            CustodyFacts(
                recording_id=str(mutation.entity_id),
                at=at,
                actor=self._who.actor,
                kind=kind,
                reason=f"{kind.value.replace('_', ' ')} by sync",
                data=data,
            ),
        )
