"""Share links: a recording, or an incident's evidence, opened by an outside party (a prosecutor,
a court) through a link, with an expiry, view-only or download, an optional PIN, revocable.

Theory: the link is the key (share_secrets.py), so everything the link does is written down.
Making a share logs `shared` on every recording it covers (who for, the mode, the expiry, the
share's id; never the token), revoking it `share_revoked`, and every use of the link
`share_accessed` with the viewer's address and user agent and what they reached: the page, a
byte range played, a download, a PIN tried, or a refusal (revoked, expired, locked). Staff read
all of it on the recordings' custody logs.

A share covers the recordings it named when it was made: an incident's share lists the verified
recordings linked to the incident at that moment, each with its own `shared` entry. A recording
linked later is not reachable through the older link; make a new share for it.

Time is passed in (`now`), so a test decides when a link expires or a lock ends; the routes pass
`utc_now()`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, Final

import msgspec

from server.auth.schemas import Principal
from server.custody import repository as custody_log
from server.custody import service as custody
from server.custody.schemas import CustodyFacts, CustodyKind
from server.db import Database
from server.errors import ApiError, BadRequest, Conflict, Forbidden, Gone, NotFound
from server.evidence import share_repository as repository
from server.evidence.items import recordings_of_incident
from server.evidence.share_schemas import (
    NewShare,
    SharedItem,
    ShareIn,
    ShareOut,
    ShareRecord,
    ShareState,
    Viewer,
)
from server.evidence.share_secrets import (
    hash_pin,
    looks_like_token,
    new_token,
    pin_matches,
    token_hash,
)
from server.incidents.service import require as require_incident
from server.settings import Settings
from server.uploads import repository as uploads
from server.uploads.storage import EvidenceStore

PIN_SESSION_S: Final = 1800.0
"""How long a right PIN admits one browser (its cookie), revocation and expiry aside."""
USER_AGENT_CHARS: Final = 400


class ShareLocked(ApiError):
    """Too many wrong PINs in a row: the link refuses PINs until the lock ends."""

    status_code = 429
    code = "share_locked"

    def __init__(self, detail: str, locked_until: dt.datetime) -> None:
        super().__init__(detail)
        self.locked_until = locked_until


class ShareRules(msgspec.Struct, frozen=True, kw_only=True):
    max_days: float = 90.0
    pin_failures_max: int = 5
    pin_lock_s: float = 900.0

    @classmethod
    def of(cls, settings: Settings) -> ShareRules:
        return cls(
            max_days=settings.share_max_days,
            pin_failures_max=settings.share_pin_failures_max,
            pin_lock_s=settings.share_pin_lock_s,
        )


class PinResult(msgspec.Struct, frozen=True, kw_only=True):
    accepted: bool
    tries_left: int
    locked_until: dt.datetime | None = None


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def state_of(share: ShareRecord, now: dt.datetime) -> ShareState:
    if share.revoked_at is not None:
        return ShareState.REVOKED
    if share.expires_at <= now:
        return ShareState.EXPIRED
    if share.locked_until is not None and share.locked_until > now:
        return ShareState.LOCKED
    return ShareState.ACTIVE


def share_out(share: ShareRecord, now: dt.datetime) -> ShareOut:
    values = msgspec.structs.asdict(share)
    for secret in ("token_sha256", "pin_hash", "pin_failures"):
        del values[secret]
    return ShareOut(**values, state=state_of(share, now), has_pin=share.pin_hash is not None)


# Staff: make, list and revoke shares.


async def _covered(db: Database, data: ShareIn, who: Principal) -> list[str]:
    """The recordings a new share covers, each one the caller may open and with a verified file."""
    if data.incident_id is not None:
        await require_incident(db, data.incident_id)
        wanted = await recordings_of_incident(db, data.incident_id)
    else:
        assert data.recording_id is not None
        wanted = [data.recording_id]
    covered = []
    for recording_id in wanted:
        await custody.open_chain(db, recording_id, who)  # exists, and the caller may open it
        record = await uploads.verified_for(db, recording_id)
        if record is not None and record.sha256 is not None:
            covered.append(recording_id)
        elif data.recording_id is not None:
            raise Conflict(
                f"Recording {recording_id} has no verified file yet, so there is nothing to share.",
                code="evidence_not_verified",
            )
    if not covered:
        raise Conflict(
            f"Incident {data.incident_id} has no verified recording linked to it yet, so there "
            "is nothing to share.",
            code="share_nothing_to_share",
        )
    return covered


def _check_request(data: ShareIn, rules: ShareRules, now: dt.datetime) -> None:
    if (data.recording_id is None) == (data.incident_id is None):
        raise BadRequest(
            "Name either recording_id or incident_id, not both and not neither.",
            code="share_target",
        )
    if not now < data.expires_at <= now + dt.timedelta(days=rules.max_days):
        raise BadRequest(
            f"expires_at must lie in the future and at most {rules.max_days:g} days ahead.",
            code="share_expiry",
        )


async def create(
    db: Database, data: ShareIn, who: Principal, rules: ShareRules, now: dt.datetime
) -> tuple[ShareRecord, str]:
    """The new share and its token, which exists only in this answer."""
    _check_request(data, rules, now)
    recordings = await _covered(db, data, who)
    pin_hash = None if data.pin is None else await asyncio.to_thread(hash_pin, data.pin)
    token = new_token()
    new = NewShare(
        token_sha256=token_hash(token),
        recording_id=data.recording_id,
        incident_id=data.incident_id,
        recordings=recordings,
        recipient=data.recipient,
        reason=data.reason,
        mode=data.mode,
        expires_at=data.expires_at.astimezone(dt.UTC),
        pin_hash=pin_hash,
        created_by=who.actor,
        created_at=now,
    )
    async with db.write():
        share_id = await repository.insert(db, new)
        facts: dict[str, object] = {
            "share_id": share_id,
            "recipient": data.recipient,
            "mode": data.mode.value,
            "expires_at": new.expires_at.isoformat(),
            "incident_id": data.incident_id,
            "pin": pin_hash is not None,
        }
        for recording_id in recordings:
            await custody.log(db, recording_id, who, CustodyKind.SHARED, data.reason, facts)
    share = await repository.find(db, share_id)
    assert share is not None
    return share, token


async def _may_open_all(db: Database, share: ShareRecord, who: Principal) -> bool:
    try:
        for recording_id in share.recordings:
            await custody.require_reader(db, recording_id, who)
    except Forbidden:
        return False
    return True


async def listing(
    db: Database,
    who: Principal,
    now: dt.datetime,
    recording_id: str | None = None,
    incident_id: int | None = None,
) -> list[ShareOut]:
    """The shares the caller may see: those whose every recording their role may open."""
    found = await repository.listing(db, recording_id, incident_id)
    return [share_out(share, now) for share in found if await _may_open_all(db, share, who)]


async def find(db: Database, share_id: int, who: Principal) -> ShareRecord:
    share = await repository.find(db, share_id)
    if share is None:
        raise NotFound(f"There is no share with id {share_id}.")
    for recording_id in share.recordings:
        await custody.require_reader(db, recording_id, who)
    return share


async def revoke(
    db: Database, share_id: int, reason: str, who: Principal, now: dt.datetime
) -> ShareOut:
    """Revoke a share; revoking it again changes nothing and logs nothing."""
    share = await find(db, share_id, who)
    async with db.write():
        if await repository.revoke(db, share_id, now, who.actor, reason):
            facts: dict[str, object] = {"share_id": share_id, "recipient": share.recipient}
            for recording_id in share.recordings:
                await custody.log(db, recording_id, who, CustodyKind.SHARE_REVOKED, reason, facts)
    return share_out(await find(db, share_id, who), now)


# The outside party's door: every use of a link is on the custody log.


async def log_access(
    db: Database,
    share: ShareRecord,
    viewer: Viewer,
    what: str,
    outcome: str,
    *,
    recordings: list[str] | None = None,
    extra: dict[str, Any] | None = None,
    at: dt.datetime,
) -> None:
    """`share_accessed` on each recording reached (all the share covers when None); a use that
    was served (`outcome` "served") also counts on the share."""
    data: dict[str, Any] = {
        "share_id": share.id,
        "what": what,
        "outcome": outcome,
        "address": viewer.address,
        "user_agent": viewer.user_agent[:USER_AGENT_CHARS],
        **(extra or {}),
    }
    reason = f"share link {share.id} for {share.recipient}: {what}, {outcome}"
    async with db.write():
        for recording_id in share.recordings if recordings is None else recordings:
            facts = CustodyFacts(
                recording_id=recording_id,
                at=dt.datetime.now(dt.UTC),
                actor=f"share:{share.id}",
                kind=CustodyKind.SHARE_ACCESSED,
                reason=reason,
                data=data,
            )
            await custody_log.append(db, facts)
        if outcome == "served":
            await repository.count_access(db, share.id, at)


async def door(
    db: Database, token: str, viewer: Viewer, what: str, now: dt.datetime
) -> ShareRecord:
    """The share a link opens, or why it opens nothing (a refusal is logged)."""
    share = await repository.by_token(db, token_hash(token)) if looks_like_token(token) else None
    if share is None:
        raise NotFound(
            "This share link does not exist; ask whoever sent it for a new one.",
            code="share_not_found",
        )
    state = state_of(share, now)
    if state is ShareState.REVOKED:
        await log_access(db, share, viewer, what, "share_revoked", at=now)
        raise Gone(
            "This share link was revoked; ask whoever sent it for a new one.",
            code="share_revoked",
        )
    if state is ShareState.EXPIRED:
        await log_access(db, share, viewer, what, "share_expired", at=now)
        raise Gone(
            "This share link expired; ask whoever sent it for a new one.", code="share_expired"
        )
    return share


def locked_error(until: dt.datetime) -> ShareLocked:
    return ShareLocked(
        f"Too many wrong PINs: this share link is locked until {until:%Y-%m-%d %H:%M} UTC.", until
    )


async def try_pin(
    db: Database, share: ShareRecord, pin: str, viewer: Viewer, rules: ShareRules, now: dt.datetime
) -> PinResult:
    """Check a PIN; `share_pin_failures_max` wrong ones in a row lock the link for
    `share_pin_lock_s`. Raises ShareLocked while it is locked (the PIN is not even tried)."""
    if share.locked_until is not None and share.locked_until > now:
        await log_access(db, share, viewer, "pin", "locked", at=now)
        raise locked_error(share.locked_until)
    right = share.pin_hash is not None and await asyncio.to_thread(pin_matches, pin, share.pin_hash)
    async with db.write():
        fresh = await repository.find(db, share.id, lock=True)
        assert fresh is not None
        failures = 0 if right else fresh.pin_failures + 1
        locked = None
        if failures >= rules.pin_failures_max:
            failures, locked = 0, now + dt.timedelta(seconds=rules.pin_lock_s)
        await repository.set_pin_failures(db, share.id, failures, locked)
        outcome = "pin_accepted" if right else ("locked" if locked else "pin_wrong")
        await log_access(db, share, viewer, "pin", outcome, at=now)
    tries_left = 0 if locked else rules.pin_failures_max - failures
    return PinResult(accepted=right, tries_left=tries_left, locked_until=locked)


async def items(db: Database, store: EvidenceStore, share: ShareRecord) -> list[SharedItem]:
    """What the page lists: each recording's synced facts and whether its file is still there."""
    found = []
    for recording_id in share.recordings:
        values = await repository.recording_values(db, recording_id)
        record = await uploads.verified_for(db, recording_id)
        sha256 = None if record is None else record.sha256
        size = None if sha256 is None else await store.backend.size_of(sha256)
        found.append(_item(recording_id, values, sha256, size))
    return found


def _item(
    recording_id: str, values: dict[str, Any], sha256: str | None, size: int | None
) -> SharedItem:
    camera = " ".join(str(values.get(key) or "") for key in ("device_model", "device_serial"))
    return msgspec.convert(
        {
            "recording_id": recording_id,
            "title": str(values.get("title") or values.get("file_name") or recording_id),
            "file_name": str(values.get("file_name") or f"{recording_id}.bin"),
            "camera": camera.strip(),
            "recorded_start": values.get("recorded_start"),
            "duration_s": values.get("duration_s"),
            "size_bytes": size if size is not None else values.get("size_bytes"),
            "sha256": sha256 or values.get("sha256"),
            "available": size is not None,
        },
        SharedItem,
        strict=False,
    )


async def shared_file(
    db: Database, store: EvidenceStore, share: ShareRecord, recording_id: str
) -> tuple[int, str, SharedItem]:
    """The size and content address of a shared recording's file, and how the page names it."""
    if recording_id not in share.recordings:
        raise NotFound(f"Recording {recording_id} is not part of this share.", code="not_found")
    record = await uploads.verified_for(db, recording_id)
    size = (
        None
        if record is None or record.sha256 is None
        else await store.backend.size_of(record.sha256)
    )
    if record is None or record.sha256 is None or size is None:
        chain = await custody_log.entries(db, recording_id)
        if any(entry.kind is CustodyKind.DELETED for entry in chain):
            raise Gone(
                f"The evidence file of recording {recording_id} was deleted at the end of its "
                "retention period.",
                code="evidence_deleted",
            )
        raise NotFound(
            f"The evidence file of recording {recording_id} is missing.", code="evidence_missing"
        )
    values = await repository.recording_values(db, recording_id)
    return size, record.sha256, _item(recording_id, values, record.sha256, size)
