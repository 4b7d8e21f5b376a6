"""Which scopes an entity belongs to, and which scopes a caller may read and write.

Scopes are the units a tablet pulls by cursor:

* ``crew:<id>`` - what one crew wrote: its reports and their notes, persons, detentions, and its
  status changes;
* ``incident:<id>`` - everything about one server incident: its sync status, the status changes
  and reports made for it (with their notes …), and the recordings linked to it;
* ``district:<name>`` - the incidents of one district (by their site's district), with their
  sync status, status changes and reports (with their notes …), so a crew sees what happens in
  its own district, not only on its own calls;
* ``recordings`` - the metadata of every body-cam recording of access class ``normal``
  (dispatchers);
* ``recordings:<device id>`` - the recordings one sync device created (its owner: the station
  or crew that synced them, and nobody else) - see server/custody/access.py;
* ``recordings:restricted`` - recordings of access class ``restricted`` or ``confidential``
  (admins; they leave ``recordings`` and their incident's scope).

A crew may read and write its own crew scope and the scopes of the incidents it is assigned
(open ones, and closed ones for a while, so the report can still be finished), and reads the
scope of its own district; when the dispatcher moves an incident to another crew, the first
crew's next pull evicts that scope and the new crew's resets it, and a crew moved to another
district has the old district evicted and the new one reset the same way. An upload station
may write recordings only and reads the ``recordings:<device id>`` scopes of its own devices.
Dispatchers read everything but restricted recordings and other owners' recording scopes;
admins read everything. Who may change which recording is checked per mutation
(server/custody/sync_rules.py).
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections.abc import Callable, Mapping
from typing import Final

from server.auth.schemas import Role
from sync.entities import EntityKind
from sync.errors import MutationRejectedError, RejectionCode
from sync.merge import EntityState
from sync.server_ids import ServerKind, server_number

RECORDINGS_SCOPE: Final = "recordings"
RECORDING_SCOPE_PREFIX: Final = "recordings:"
RESTRICTED_RECORDINGS_SCOPE: Final = "recordings:restricted"
RECORDING_CREATOR_FIELD: Final = "sha256"
"""A camera fact every recording has: its stamp names the device that created the recording."""
CHILD_KINDS: Final = frozenset(
    {EntityKind.REPORT_NOTE, EntityKind.REPORT_PERSON, EntityKind.DETENTION}
)
Lookup = Callable[[EntityKind, uuid.UUID], EntityState | None]
DistrictOf = Callable[[int], str | None]  # an incident's number -> its site's district, if any


def no_district(incident_id: int) -> str | None:
    return None


def crew_scope(crew_id: int) -> str:
    return f"crew:{crew_id}"


def incident_scope(incident_id: int) -> str:
    return f"incident:{incident_id}"


def district_scope(district: str) -> str:
    return f"district:{district}"


def recording_owner_scope(device_id: uuid.UUID) -> str:
    return f"{RECORDING_SCOPE_PREFIX}{device_id}"


def recording_creator(state: EntityState) -> uuid.UUID | None:
    """The sync device that created a recording (its owner's device)."""
    stamp = state.fields.get(RECORDING_CREATOR_FIELD)
    return None if stamp is None else stamp.device_id


def is_open_recording(state: EntityState) -> bool:
    """Whether a recording's access class lets dispatchers and linked crews see it."""
    stamp = state.fields.get("access_class")
    return stamp is None or stamp.value in (None, "normal")


def uuid_field(state: EntityState, name: str) -> uuid.UUID | None:
    """A field holding an id, or None if it is unset or null."""
    stamp = state.fields.get(name)
    if stamp is None or stamp.value is None:
        return None
    try:
        return uuid.UUID(str(stamp.value))
    except ValueError:
        return None


def incident_number(state: EntityState) -> int | None:
    """The server incident an entity names in its ``incident_id`` field, if any."""
    incident = uuid_field(state, "incident_id")
    return None if incident is None else server_number(ServerKind.INCIDENT, incident)


def parent_of(values: Mapping[str, object]) -> uuid.UUID | None:
    """The report a child row's values name, if any."""
    report_id = values.get("report_id")
    return None if report_id is None else uuid.UUID(str(report_id))


def stored_parent(lookup: Lookup, kind: EntityKind, entity_id: uuid.UUID) -> uuid.UUID | None:
    """The report a stored child row names, if it is loaded."""
    state = lookup(kind, entity_id)
    return None if state is None else uuid_field(state, "report_id")


def incidents_named(
    lookup: Lookup, kind: EntityKind, entity_id: uuid.UUID, values: Mapping[str, object]
) -> set[int]:
    """The server incidents a write names: the incident itself, the one its values or its
    stored row name, or its parent report's (parents must be loaded)."""
    if kind is EntityKind.INCIDENT:
        number = server_number(ServerKind.INCIDENT, entity_id)
        return set() if number is None else {number}
    named: set[int] = set()
    if (incident := values.get("incident_id")) is not None:
        with contextlib.suppress(ValueError):
            if (number := server_number(ServerKind.INCIDENT, uuid.UUID(str(incident)))) is not None:
                named.add(number)
    stored = lookup(kind, entity_id)
    parent_id = parent_of(values) or (None if stored is None else uuid_field(stored, "report_id"))
    parent = None if parent_id is None else lookup(EntityKind.INCIDENT_REPORT, parent_id)
    for state in (stored, parent):
        if state is not None and (number := incident_number(state)) is not None:
            named.add(number)
    return named


def _server_scope(state: EntityState, field: str, kind: ServerKind) -> str | None:
    stamp = state.fields.get(field)
    if stamp is None or stamp.value is None:
        return None
    return _scope_of(field, str(stamp.value), kind)


@functools.lru_cache(maxsize=4096)
def _scope_of(field: str, value: str, kind: ServerKind) -> str:
    """The scope a server id names; cached, as a batch repeats the same few ids."""
    try:
        number = server_number(kind, uuid.UUID(value))
    except ValueError:
        number = None
    if number is None:
        raise MutationRejectedError(
            RejectionCode.INVALID_VALUE, f"{field} {value} names no server {kind.name.lower()}"
        )
    return crew_scope(number) if kind is ServerKind.CREW else incident_scope(number)


def _present(*scopes: str | None) -> list[str]:
    return [scope for scope in scopes if scope is not None]


class ScopeResolver:
    """``scopes_of`` for the push engine; parents come from the request's loaded entities."""

    def __init__(self, lookup: Lookup, role: Role, district_of: DistrictOf = no_district) -> None:
        self._lookup = lookup
        self._role = role
        self._district_of = district_of

    def __call__(self, state: EntityState) -> list[str]:
        if self._role is Role.UPLOAD_STATION and state.kind is not EntityKind.RECORDING:
            raise MutationRejectedError(
                RejectionCode.SCOPE_FORBIDDEN, "an upload station may only write recordings"
            )
        scopes = self._scopes(state)
        if not scopes:
            raise MutationRejectedError(
                RejectionCode.INVALID_VALUE, f"{state.kind} {state.entity_id} needs its owner"
            )
        return scopes

    def _scopes(self, state: EntityState) -> list[str]:
        match state.kind:
            case EntityKind.INCIDENT:
                number = server_number(ServerKind.INCIDENT, state.entity_id)
                if number is None:
                    raise MutationRejectedError(
                        RejectionCode.NOT_FOUND, f"{state.entity_id} is not a server incident"
                    )
                return _present(incident_scope(number), self._district(number))
            case EntityKind.INCIDENT_REPORT | EntityKind.CREW_STATUS:
                return _present(
                    _server_scope(state, "crew_id", ServerKind.CREW),
                    _server_scope(state, "incident_id", ServerKind.INCIDENT),
                    self._district(incident_number(state)),
                )
            case EntityKind.RECORDING:
                return self._recording_scopes(state)
            case _:
                return self._parent_scopes(state)

    def _recording_scopes(self, state: EntityState) -> list[str]:
        creator = recording_creator(state)
        owner = None if creator is None else recording_owner_scope(creator)
        if not is_open_recording(state):
            return _present(owner, RESTRICTED_RECORDINGS_SCOPE)
        incident = _server_scope(state, "incident_id", ServerKind.INCIDENT)
        return _present(owner, RECORDINGS_SCOPE, incident)

    def _district(self, incident_id: int | None) -> str | None:
        district = None if incident_id is None else self._district_of(incident_id)
        return district_scope(district) if district else None

    def _parent_scopes(self, state: EntityState) -> list[str]:
        report_id = uuid_field(state, "report_id")
        report = None if report_id is None else self._lookup(EntityKind.INCIDENT_REPORT, report_id)
        if report is None:
            raise MutationRejectedError(
                RejectionCode.NOT_FOUND, f"the report of {state.kind} {state.entity_id} is unknown"
            )
        return self._scopes(report)
