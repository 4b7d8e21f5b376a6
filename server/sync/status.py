"""Crew status changes that arrive by sync go through the server's incident lifecycle.

A tablet records "en route", "on scene" … offline, with its own clock reading. When the change
arrives, the incident service moves the incident (the same code as the status route: lifecycle
check, dispatch acknowledged, crew status, timeline entry, outbox) with the device's timestamp
on the timeline entry. A change the state machine refuses becomes a rejected mutation, which
the tablet and the dispatcher both see; it is never dropped. A change to the status the
incident already has is kept on the timeline as a report, without moving anything.

Every check runs before the first write, so a refusal leaves nothing behind (the contract of
`sync.rules.OnApply`).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from server.auth.schemas import Principal
from server.db import Database
from server.errors import ApiError, Forbidden, NotFound
from server.incidents import repository as incidents
from server.incidents import service as incident_service
from server.incidents.lifecycle import Outcome, Status
from server.incidents.schemas import ResolveIn, StatusIn
from server.incidents.timeline import EntryFacts
from sync.entities import CrewStatusFields, EntityKind
from sync.errors import MutationRejectedError, RejectionCode
from sync.mutations import AnyMutation, CrewStatusRecordV1, EntityRestoreV1, EntityVoidV1, Receipt
from sync.server_ids import ServerKind, server_number

STATUS_REPORT_KIND: Final = "status_report"
RESOLVED_BY_TABLET: Final = "Resolved on a tablet; the outcome follows in the crew's report."


def _rejection(err: ApiError) -> MutationRejectedError:
    if isinstance(err, NotFound):
        code = RejectionCode.NOT_FOUND
    elif isinstance(err, Forbidden):
        code = RejectionCode.SCOPE_FORBIDDEN
    else:
        code = RejectionCode.INVALID_TRANSITION
    return MutationRejectedError(code, err.detail)


class IncidentRules:
    """`sync.rules.OnApply` for one push: the incident lifecycle for one caller."""

    def __init__(self, db: Database, who: Principal, device: str) -> None:
        self._db = db
        self._who = who
        self._device = device

    async def __call__(self, mutation: AnyMutation, receipt: Receipt) -> None:
        match mutation:
            case CrewStatusRecordV1(fields=fields):
                await self._status(fields, receipt)
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

    def _data(self, receipt: Receipt) -> dict[str, object]:
        return {
            "source": "sync",
            "device": self._device,
            "clock_offset_ms": receipt.clock_offset_ms,
        }

    async def _status(self, fields: CrewStatusFields, receipt: Receipt) -> None:
        incident_id = server_number(ServerKind.INCIDENT, fields.incident_id)
        incident = None if incident_id is None else await incidents.find(self._db, incident_id)
        if incident_id is None or incident is None:
            raise MutationRejectedError(
                RejectionCode.NOT_FOUND, f"{fields.incident_id} is not a server incident"
            )
        target = Status(fields.status.value)
        if incident.status is target:
            await self._report(incident_id, target, fields.device_time, receipt)
            return
        note = f"From tablet {self._device} (clock offset {receipt.clock_offset_ms} ms)."
        body = StatusIn(status=target, device_at=fields.device_time, note=note)
        outcome = ResolveIn(outcome=Outcome.other, notes=RESOLVED_BY_TABLET)
        try:
            await incident_service.change_status(
                self._db,
                incident_id,
                body,
                self._who,
                outcome if target is Status.resolved else None,
            )
        except ApiError as err:
            raise _rejection(err) from err

    async def _report(
        self, incident_id: int, status: Status, device_at: dt.datetime, receipt: Receipt
    ) -> None:
        await incident_service.record(
            self._db,
            EntryFacts(
                incident_id=incident_id,
                at=dt.datetime.fromtimestamp(receipt.server_now_ms / 1000, dt.UTC),
                actor=self._who.actor,
                kind=STATUS_REPORT_KIND,
                from_status=status,
                to_status=status,
                device_at=device_at,
                data=self._data(receipt),
            ),
        )
