"""Who may see, change and upload a body-cam recording.

A recording belongs to its **owner**: the owner of the sync device that first wrote its camera
facts (`recording.create.v1`), named as server/auth/owners.py names owners (`token:<id>` for an
upload station, `crew:<id>` for a crew, so a crew's re-issued token keeps its recordings). Its
`access_class` (a curated sync field; none set means `normal`) says who else may see it:

    access_class  metadata (sync pull)                 evidence (custody log, playback,
                                                       export, links, category)
    ------------  -----------------------------------  ------------------------------
    normal        admin, dispatcher, the owner, crews  admin, dispatcher
                  of an incident it is linked to
    restricted    admin, the owner                     admin
    confidential  admin, the owner                     admin (no wider audience than
                                                       restricted exists yet)

Changes: an admin may change any recording; the owner its own; a dispatcher a normal one.
Once its file is verified a recording is evidence: nobody uploads to it again (409
`recording_verified`) and only an admin may void or restore it. Uploads come only from the
owner. Every change of metadata and every void or restore is an entry on the custody log
(`server/custody/sync_rules.py`).
"""

from __future__ import annotations

import msgspec

from server.auth.owners import device_owner
from server.auth.schemas import Principal, Role
from server.errors import Conflict, Forbidden
from server.sync.recordings import SyncedRecording
from sync.recordings import AccessClass

EVIDENCE_READERS = {
    AccessClass.NORMAL: frozenset({Role.ADMIN, Role.DISPATCHER}),
    AccessClass.RESTRICTED: frozenset({Role.ADMIN}),
    AccessClass.CONFIDENTIAL: frozenset({Role.ADMIN}),
}
"""The roles that may open a recording's evidence, by access class (the owner is not a reader:
stations and tablets only send evidence)."""


class RecordingAccess(msgspec.Struct, frozen=True, kw_only=True):
    """What the rules need to know about one recording."""

    recording_id: str
    owner: str | None
    """`token:<id>` or `crew:<id>`; None when the syncing device is unknown."""
    access_class: AccessClass = AccessClass.NORMAL
    verified: bool = False


def access_class_of(value: object) -> AccessClass:
    """A stored `access_class` value; anything unset (or unknown) counts as normal."""
    try:
        return AccessClass(str(value)) if value is not None else AccessClass.NORMAL
    except ValueError:
        return AccessClass.RESTRICTED  # an unknown class is never shown more widely


def is_owner(who: Principal, recording: RecordingAccess) -> bool:
    return recording.owner is not None and recording.owner == device_owner(who)


def require_evidence_reader(who: Principal, recording: RecordingAccess) -> None:
    """Refuse a role its access class does not admit to the recording's evidence."""
    if who.role not in EVIDENCE_READERS[recording.access_class]:
        raise Forbidden(
            f"Recording {recording.recording_id} is {recording.access_class.value}: only an "
            "admin may open it.",
            code="recording_restricted",
        )


def require_uploader(who: Principal, recording: RecordingAccess) -> None:
    """Only the owner uploads, and only until a file has been verified."""
    if not is_owner(who, recording):
        raise Forbidden(
            f"Recording {recording.recording_id} was synced by another station or crew; "
            "only they may upload its file.",
            code="not_your_recording",
        )
    if recording.verified:
        raise Conflict(
            f"Recording {recording.recording_id} already has a verified file; evidence is "
            "never replaced.",
            code="recording_verified",
        )


def change_refusal(who: Principal, recording: RecordingAccess, *, voiding: bool) -> str | None:
    """Why `who` may not change (or void/restore) the recording's metadata; None if allowed."""
    if who.role is Role.ADMIN:
        return None
    if voiding and recording.verified:
        return f"recording {recording.recording_id} is verified evidence; only an admin voids it"
    if is_owner(who, recording):
        return None
    if who.role is Role.DISPATCHER and recording.access_class is AccessClass.NORMAL:
        return None
    return f"recording {recording.recording_id} belongs to another station or crew"


def access_of(recording: SyncedRecording) -> RecordingAccess:
    """The rules' view of a recording as its synced metadata describes it."""
    return RecordingAccess(
        recording_id=recording.recording_id,
        owner=recording.owner,
        access_class=access_class_of(recording.access_class),
        verified=recording.verified_sha256 is not None,
    )
