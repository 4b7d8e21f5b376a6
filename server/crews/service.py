from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from server.auth.schemas import Principal, Role
from server.auth.service import revoke_crew_tokens
from server.crews import repository
from server.crews.repository import crews
from server.crews.schemas import Crew, CrewIn, CrewMe, CrewPatch, CrewStatus, OwnStatusIn
from server.db import Database
from server.errors import Conflict, Forbidden
from server.relay import outbox
from server.relay.outbox import DISPATCH_STREAM


async def create_crew(db: Database, data: CrewIn) -> Crew:
    now = dt.datetime.now(dt.UTC)
    values: dict[str, Any] = msgspec.structs.asdict(data)
    values["members"] = msgspec.json.encode(data.members).decode()
    values["status"] = data.status.value
    position_at = now if data.lat is not None and data.lon is not None else None
    return await crews.create(
        db, {**values, "status_since": now, "created_at": now, "position_at": position_at}
    )


async def update_crew(db: Database, crew_id: int, patch: CrewPatch) -> Crew:
    changes: dict[str, Any] = {
        k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET
    }
    if "members" in changes:
        changes["members"] = msgspec.json.encode(changes["members"]).decode()
    if "status" in changes:
        changes["status"] = changes["status"].value
        changes["status_since"] = dt.datetime.now(dt.UTC)
    return await crews.update(db, crew_id, changes)


async def record_position(
    db: Database, who: Principal, lat: float, lon: float, at: dt.datetime | None
) -> None:
    """A crew tablet's position report; the dispatcher stream shows the crew moving."""
    if who.crew_id is None:
        return
    now = dt.datetime.now(dt.UTC)
    async with db.write():
        await move_crew(db, who.crew_id, lat, lon, min(at or now, now), only_newer=False)


async def move_crew(
    db: Database, crew_id: int, lat: float, lon: float, at: dt.datetime, *, only_newer: bool
) -> bool:
    """Inside the caller's write: set the crew's position and show it on the dispatcher stream.
    With ``only_newer``, a position older than the crew's last one (a tracker uploading what it
    buffered offline) is kept in the signals but does not move the crew back."""
    if only_newer:
        known = (await crews.get(db, crew_id)).position_at
        if known is not None and known >= at:
            return False
    await repository.set_position(db, crew_id, lat, lon, at)
    await outbox.append(db, DISPATCH_STREAM, "crew", await crews.get(db, crew_id))
    return True


async def change_crew(db: Database, crew_id: int, patch: CrewPatch) -> Crew:
    async with db.write():
        crew = await update_crew(db, crew_id, patch)
        await outbox.append(db, DISPATCH_STREAM, "crew", crew)
    return crew


async def delete_crew(db: Database, crew_id: int) -> None:
    """Delete a crew and revoke its tablets' tokens in the same transaction: a token must never
    outlive its crew (its sockets close too, server/sockets/revocation.py)."""
    async with db.write():
        await crews.delete(db, crew_id)
        await revoke_crew_tokens(db, crew_id)


def own_crew(who: Principal) -> int | None:
    """The one crew a crew token may read (its own: not the others' members and positions);
    None for roles that read every crew."""
    if who.role is not Role.CREW:
        return None
    return who.crew_id or 0  # a crew token without a crew reads nothing


def _crew_of(who: Principal) -> int:
    if who.role is not Role.CREW or who.crew_id is None:
        raise Forbidden("This token is not bound to a crew.", code="not_a_crew")
    return who.crew_id


async def me(db: Database, who: Principal) -> CrewMe:
    """The crew a tablet's token is bound to."""
    crew = await crews.get(db, _crew_of(who))
    return CrewMe(crew_id=crew.id, name=crew.name, members=crew.members, status=crew.status)


async def set_own_status(db: Database, who: Principal, body: OwnStatusIn) -> Crew:
    """A crew sets itself available, out of service or returning from its tablet. Refused while
    it holds an open incident (that incident's lifecycle sets the crew's status); setting the
    status it already has changes nothing."""
    crew_id = _crew_of(who)
    status = CrewStatus(body.status)
    async with db.write():
        if await repository.holds_open_incident(db, crew_id):
            raise Conflict(
                "The crew is on an incident; its status follows that incident until it closes.",
                code="crew_on_incident",
            )
        crew = await crews.get(db, crew_id)
        if crew.status is status:
            return crew
        await repository.set_status(db, crew_id, status, dt.datetime.now(dt.UTC))
        crew = await crews.get(db, crew_id)
        await outbox.append(db, DISPATCH_STREAM, "crew", crew)
    return crew
