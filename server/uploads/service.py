"""The evidence upload flow: create (bound to synced metadata), append chunks, verify, custody.

Theory: an upload may only start for a recording whose metadata (with its SHA-256) was synced
first, so the server knows what the bytes must be. Each PATCH is written at its offset, synced to
disk, and only then is the new offset committed and acknowledged. The last byte triggers a full
re-hash: a match makes the file verified, content-addressed and read-only; a mismatch quarantines
it and raises an alert. Every step lands on the recording's hash-chained custody log.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator, Mapping

from litestar.di import NamedDependency

from server.alerts.repository import NewAlert
from server.alerts.schemas import AlertKind
from server.alerts.service import raise_alert
from server.auth.schemas import Principal
from server.custody import repository as custody
from server.custody.access import access_of, is_owner, require_uploader
from server.custody.schemas import CustodyFacts, CustodyKind
from server.db import Database
from server.errors import Conflict
from server.settings import Settings
from server.sites.schemas import SiteRef
from server.sync.recordings import SyncedRecording, synced_recording
from server.uploads import repository
from server.uploads.locks import KeyedLocks
from server.uploads.schemas import UploadRecord
from server.uploads.storage import EvidenceStore, PartialWrite, evidence_store
from server.uploads.sync_bridge import mark_verified
from server.uploads.tus import (
    BadHeader,
    TooLarge,
    UploadExpired,
    UploadGone,
    UploadState,
    check_patch,
    parse_checksum,
    parse_int,
    parse_metadata,
)
from sync.hlc import HybridClock

RECORDING_KEY = "recording_id"
EXPIRY_CHECK_S = 300.0
DEFAULT_BODY_TIMEOUT_S = 30.0
logger = logging.getLogger(__name__)


class UploadPolicy:
    def __init__(
        self,
        max_bytes: int,
        expire_after: dt.timedelta,
        body_timeout_s: float = DEFAULT_BODY_TIMEOUT_S,
    ) -> None:
        self.max_bytes = max_bytes
        self.expire_after = expire_after
        self.body_timeout_s = body_timeout_s
        """A PATCH body silent this long counts as a client gone away: what arrived is kept
        and the upload's lock is freed for the resume."""


class Uploads:
    """Upload actions; one per app, holding the store and a lock per upload in progress."""

    def __init__(
        self, db: Database, store: EvidenceStore, policy: UploadPolicy, clock: HybridClock
    ) -> None:
        self.db = db
        self.clock = clock
        """The node's sync clock: the stamp of `verified_sha256` (server/uploads/sync_bridge.py)."""
        self.store = store
        self.policy = policy
        self.locks = KeyedLocks()

    async def create(self, headers: Mapping[str, str], who: Principal) -> UploadRecord:
        length = parse_int(headers, "Upload-Length")
        if length > self.policy.max_bytes:
            raise TooLarge(f"Upload-Length {length} is over Tus-Max-Size {self.policy.max_bytes}.")
        metadata = parse_metadata(headers.get("upload-metadata"))
        expected = await self._expected(metadata.get(RECORDING_KEY, ""), length, who)
        now = dt.datetime.now(dt.UTC)
        record = UploadRecord(
            id=uuid.uuid4().hex,
            recording_id=expected.recording_id,
            length=length,
            offset=0,
            state=UploadState.RECEIVING,
            metadata=metadata,
            owner=who.actor,
            expected_sha256=expected.sha256,
            sha256=None,
            category=",".join(expected.categories),
            created_at=now,
            expires_at=now + self.policy.expire_after,
            finished_at=None,
        )
        self.store.create(record.id)
        async with self.db.write():
            await repository.insert(self.db, record)
        return record

    async def _expected(self, recording_id: str, length: int, who: Principal) -> SyncedRecording:
        if not recording_id:
            raise BadHeader("Upload-Metadata must name the recording: 'recording_id <base64>'.")
        expected = await synced_recording(self.db, recording_id)
        if expected is None:
            raise Conflict(
                f"Recording {recording_id} is unknown: sync its metadata first.",
                code="recording_not_synced",
            )
        require_uploader(who, access_of(expected))
        if expected.size_bytes != length:
            raise Conflict(
                f"Upload-Length {length} differs from the synced size "
                f"{expected.size_bytes} of recording {recording_id}.",
                code="size_mismatch",
            )
        return expected

    async def current(self, upload_id: str, who: Principal | None = None) -> UploadRecord:
        record = await repository.find(self.db, upload_id)
        if record is None or record.state is UploadState.TERMINATED:
            raise UploadGone(f"There is no upload {upload_id}.")
        if record.state is UploadState.RECEIVING and record.expires_at < dt.datetime.now(dt.UTC):
            raise UploadExpired(f"Upload {upload_id} expired; start a new one.")
        if who is not None and not await self._owned_by(record, who):
            raise UploadGone(f"There is no upload {upload_id}.")
        return record

    async def _owned_by(self, record: UploadRecord, who: Principal) -> bool:
        """Whether `who` started this upload. Token names are not unique, so the recording's
        synced owner (a crew or a token id) must be the caller's too. Another station's upload
        is not found rather than forbidden: its id confirms nothing."""
        if who.actor != record.owner:
            return False
        expected = await synced_recording(self.db, record.recording_id)
        return expected is None or is_owner(who, access_of(expected))

    async def append(
        self,
        upload_id: str,
        headers: Mapping[str, str],
        chunks: AsyncIterator[bytes],
        who: Principal,
        disconnected: type[Exception],
    ) -> UploadRecord:
        async with self.locks.hold(upload_id):
            record = await self.current(upload_id, who)
            if record.state is not UploadState.RECEIVING:
                raise Conflict(
                    f"Upload {upload_id} is already {record.state}.", code="upload_finished"
                )
            check_patch(headers, record.offset)
            checksum = parse_checksum(headers.get("upload-checksum"))
            await self._still_open(record, who)
            body = _until_stalled(chunks, self.policy.body_timeout_s, disconnected)
            try:
                written = await self.store.append(
                    upload_id, record.offset, record.length, body, checksum, disconnected
                )
            except PartialWrite as partial:
                await self._advance(record, partial.written)
                raise
            return await self._advance(record, written)

    async def _still_open(self, record: UploadRecord, who: Principal) -> None:
        """Bytes come only from the recording's owner (token names are not unique), and not
        once another upload of it was verified: the evidence is there, and its custody log
        must not grow a quarantine."""
        expected = await synced_recording(self.db, record.recording_id)
        if expected is None:
            raise UploadGone(f"The recording of upload {record.id} is gone.")
        require_uploader(who, access_of(expected))

    async def _advance(self, record: UploadRecord, written: int) -> UploadRecord:
        offset = record.offset + written
        expires_at = dt.datetime.now(dt.UTC) + self.policy.expire_after
        async with self.db.write():
            await repository.set_offset(self.db, record.id, offset, expires_at)
        updated = await self.current(record.id)
        if offset == record.length:
            return await self._finish(updated)
        return updated

    async def _finish(self, record: UploadRecord) -> UploadRecord:
        sha256 = await self.store.sha256_of(self.store.partial(record.id))
        now = dt.datetime.now(dt.UTC)
        ok = sha256 == record.expected_sha256
        if ok:
            await self.store.promote(record.id, sha256)
        else:
            await self.store.quarantine(record.id)
        async with self.db.write():
            state = UploadState.VERIFIED if ok else UploadState.QUARANTINED
            await repository.finish(self.db, record.id, state, sha256, now)
            await self._log(record, now, sha256, ok=ok)
            if ok:
                await mark_verified(self.db, self.clock, record.recording_id, sha256)
        if not ok:
            await self._alert(record, sha256)
        return await self.current(record.id)

    async def _log(self, record: UploadRecord, at: dt.datetime, sha256: str, *, ok: bool) -> None:
        base = {"upload_id": record.id, "bytes": record.length, "sha256": sha256}
        await custody.append(
            self.db,
            CustodyFacts(
                recording_id=record.recording_id,
                at=at,
                actor=record.owner,
                kind=CustodyKind.RECEIVED,
                reason="upload complete",
                data=base,
            ),
        )
        kind = CustodyKind.VERIFIED if ok else CustodyKind.QUARANTINED
        reason = (
            "server SHA-256 matches the device's"
            if ok
            else f"server SHA-256 differs from the device's {record.expected_sha256}"
        )
        await custody.append(
            self.db,
            CustodyFacts(
                recording_id=record.recording_id,
                at=at,
                actor="server",
                kind=kind,
                reason=reason,
                data=base,
            ),
        )

    async def _alert(self, record: UploadRecord, sha256: str) -> None:
        now = dt.datetime.now(dt.UTC)
        await raise_alert(
            self.db,
            self.clock,
            NewAlert(
                kind=AlertKind.TAMPER,
                priority=2,
                source="evidence",
                occurred_at=now,
                received_at=now,
                site=SiteRef(),
                description=f"Recording {record.recording_id} arrived with a different SHA-256",
                external_id=f"evidence-mismatch:{record.id}",
                details={
                    "recording_id": record.recording_id,
                    "expected": record.expected_sha256,
                    "received": sha256,
                    "uploaded_by": record.owner,
                },
            ),
            "server",
        )

    async def terminate(self, upload_id: str, who: Principal) -> None:
        record = await self.current(upload_id, who)
        if record.state is not UploadState.RECEIVING:
            raise Conflict(
                "A finished upload is evidence and cannot be deleted.", code="upload_finished"
            )
        async with self.db.write():
            await repository.set_state(self.db, upload_id, UploadState.TERMINATED)
        self.store.discard(upload_id)

    async def expire_forever(self, every_s: float = EXPIRY_CHECK_S) -> None:
        jobs = (
            ("finished %s uploads whose last chunk had been stored", self.finish_stranded),
            ("removed %s expired uploads", lambda: self.remove_expired(dt.datetime.now(dt.UTC))),
        )
        while True:
            await asyncio.sleep(every_s)
            for done_message, job in jobs:
                try:
                    count = await job()
                except Exception:  # the next round tries again
                    logger.exception("upload housekeeping failed")
                else:
                    if count:
                        logger.info(done_message, count)

    async def finish_stranded(self) -> int:
        """Finish uploads whose bytes are all stored but whose verification did not complete
        (the evidence store was unreachable, or the process died after the last chunk): a tus
        client sees its offset at the end and never sends another chunk to trigger it."""
        finished = 0
        for record in await repository.stranded(self.db):
            if not await asyncio.to_thread(self.store.partial(record.id).exists):
                continue  # staged on another node's own disk: that node's requests finish it
            async with self.locks.hold(record.id):
                current = await repository.find(self.db, record.id)
                if current is not None and current.state is UploadState.RECEIVING:
                    await self._finish(current)  # a store still down raises: the next round
                    finished += 1
        return finished

    async def remove_expired(self, now: dt.datetime) -> int:
        """The expiration job: partial files of abandoned uploads are deleted."""
        gone = await repository.expired(self.db, now)
        for record in gone:
            async with self.db.write():
                await repository.set_state(self.db, record.id, UploadState.TERMINATED)
            self.store.discard(record.id)
        return len(gone)


async def _until_stalled(
    chunks: AsyncIterator[bytes], timeout_s: float, disconnected: type[Exception]
) -> AsyncIterator[bytes]:
    """The body's chunks; a wait longer than `timeout_s` for the next one ends it the way a
    disconnect does (what arrived is kept), so a stalled client cannot hold the lock."""
    while True:
        try:
            chunk = await asyncio.wait_for(anext(chunks), timeout_s)
        except StopAsyncIteration:
            return
        except TimeoutError as err:
            logger.info("a PATCH body stalled for %s s; keeping what arrived", timeout_s)
            raise disconnected("the upload body stalled") from err
        yield chunk


def open_uploads(settings: Settings, db: Database, clock: HybridClock) -> Uploads:
    """A node's upload service, as its settings describe it (server/app.py builds one)."""
    return Uploads(
        db,
        evidence_store(settings),
        UploadPolicy(
            settings.upload_max_bytes,
            dt.timedelta(seconds=settings.upload_expire_s),
            settings.upload_body_timeout_s,
        ),
        clock,
    )


UploadsDep = NamedDependency[Uploads]
"""How a handler asks for the node's upload service: `uploads: UploadsDep`."""
