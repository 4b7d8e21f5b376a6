"""Crew status changes that arrive by sync go through the incident status command; the outcome
a synced report proposes is kept on its incident.

A tablet records "en route", "on scene" … offline, with its own clock reading, and "resolved"
with its outcome. When the change arrives, it is applied by `service.change_status`, the same
command the REST route and the socket's `status` message call, with the mutation id as its
`op_id`: a change a tablet also sent over REST or its socket with that op_id applies once. The
device's timestamp goes on the timeline entry, and where the change came from in its data.

A change the lifecycle refuses (a step back, a resolve without an outcome) becomes a rejected
mutation, which the tablet and the dispatcher both see; it is never dropped. Every check runs
before the first write, so a refusal leaves nothing behind (the contract of
`sync.rules.OnApply`). Incidents are the server's: devices may not void or restore them.
"""

from __future__ import annotations

from typing import Final

from msgspec import UNSET

from server.db import Database
from server.errors import ApiError, Forbidden, NotFound
from server.incidents import repository, service
from server.incidents.schemas import ResolveIn, StatusIn
from server.sync import push_rules
from server.sync.push_rules import PushCaller
from server.sync.reports import ReportChanges
from sync.entities import CrewStatusFields, EntityKind
from sync.errors import MutationRejectedError, RejectionCode
from sync.hlc import HybridClock
from sync.mutations import AnyMutation, CrewStatusRecordV1, EntityRestoreV1, EntityVoidV1, Receipt
from sync.server_ids import ServerKind, server_number

RULES_NAME: Final = "incidents"
_CODES: Final[dict[str, RejectionCode]] = {
    "outcome_required": RejectionCode.INVALID_VALUE,
    "idempotency_key_reused": RejectionCode.SEQUENCE_REUSED,
}


def register() -> None:
    """Have every sync push apply crew status changes and keep the outcome a crew's report
    proposes (server/sync/push_rules.py). Idempotent; server/app.py calls it as it composes a
    node."""
    push_rules.register(RULES_NAME, IncidentRules)
    push_rules.on_reports_changed(RULES_NAME, propose_outcomes)


async def propose_outcomes(db: Database, clock: HybridClock, changes: ReportChanges) -> None:
    """Keep the outcome each changed report proposes on its incident (`proposed_outcome`, beside
    the `outcome` a close confirms) and show the incident changed; inside the push's write."""
    for incident_id, outcome in sorted(changes.proposed.items()):
        incident = await repository.find(db, incident_id, lock=True)
        if incident is None or incident.proposed_outcome is outcome:
            continue
        await repository.set_proposed_outcome(db, incident_id, outcome)
        await service.publish(db, await service.require(db, incident_id))


def _rejection(err: ApiError) -> MutationRejectedError:
    if isinstance(err, NotFound):
        code = RejectionCode.NOT_FOUND
    elif isinstance(err, Forbidden):
        code = RejectionCode.SCOPE_FORBIDDEN
    else:
        code = _CODES.get(err.code, RejectionCode.INVALID_TRANSITION)
    return MutationRejectedError(code, err.detail)


class IncidentRules:
    """`sync.rules.OnApply` for one push: the incident status command for its caller."""

    def __init__(self, caller: PushCaller) -> None:
        self._caller = caller

    async def __call__(self, mutation: AnyMutation, receipt: Receipt) -> None:
        match mutation:
            case CrewStatusRecordV1(fields=fields):
                await self._status(mutation, fields, receipt)
            case (
                EntityVoidV1(entity=EntityKind.INCIDENT)
                | EntityRestoreV1(entity=EntityKind.INCIDENT)
            ):
                raise MutationRejectedError(
                    RejectionCode.SCOPE_FORBIDDEN,
                    "incidents are cancelled through the incident API, not voided by sync",
                )
            case _:
                return

    async def _status(
        self, mutation: CrewStatusRecordV1, fields: CrewStatusFields, receipt: Receipt
    ) -> None:
        incident_id = server_number(ServerKind.INCIDENT, fields.incident_id)
        if incident_id is None:
            raise MutationRejectedError(
                RejectionCode.NOT_FOUND, f"{fields.incident_id} is not a server incident"
            )
        change = StatusIn(
            status=fields.status, op_id=str(mutation.mutation_id), device_at=fields.device_time
        )
        outcome = None if fields.outcome is UNSET else ResolveIn(outcome=fields.outcome)
        via = {
            "source": "sync",
            "device": str(receipt.device_id),
            "clock_offset_ms": receipt.clock_offset_ms,
        }
        caller = self._caller
        try:
            await service.change_status(
                caller.db, caller.clock, incident_id, change, caller.who, outcome, via=via
            )
        except ApiError as err:
            raise _rejection(err) from err
