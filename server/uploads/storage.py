"""Evidence bytes: partial uploads on disk, then content-addressed files in the evidence backend.

Writes go to `uploads/<id>.part` at explicit offsets (pwrite), so bytes past the acknowledged
offset left by a crash are simply overwritten by the resumed upload. Nothing is acknowledged
before `fsync`. A verified file is handed to the backend (`evidence/`): by default it moves to
`evidence/sha256/ab/<hash>`, read-only, or it goes to an S3-compatible bucket; a file whose hash
does not match is quarantined there.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

from server.settings import Settings, SettingsError
from server.uploads.evidence.base import EvidenceBackend, hash_file
from server.uploads.evidence.directory import DirectoryBackend
from server.uploads.tus import Checksum, ChecksumMismatch, TooLarge

WRITE_BYTES: Final = 256 * 1024


class PartialWrite(Exception):
    """The client went away mid-chunk; `written` bytes were stored and synced."""

    def __init__(self, written: int) -> None:
        super().__init__(f"{written} bytes stored before the client went away")
        self.written = written


class EvidenceStore:
    """Partial uploads in `<staging>/uploads`; verified and quarantined files in the backend."""

    def __init__(self, staging_dir: Path, backend: EvidenceBackend) -> None:
        self.partial_dir = staging_dir / "uploads"
        self.partial_dir.mkdir(parents=True, exist_ok=True)
        self.backend = backend

    def partial(self, upload_id: str) -> Path:
        return self.partial_dir / f"{upload_id}.part"

    def create(self, upload_id: str) -> None:
        self.partial(upload_id).touch(exist_ok=False)

    async def append(
        self,
        upload_id: str,
        offset: int,
        length: int,
        chunks: AsyncIterator[bytes],
        checksum: Checksum | None,
        disconnected: type[Exception],
    ) -> int:
        """Write a PATCH body at `offset`; returns the bytes stored, all synced to disk.

        With a checksum the chunk is all or nothing; without one, what arrived before a
        disconnect is kept (tus: store as much as possible) and `PartialWrite` says how much."""
        fd = os.open(self.partial(upload_id), os.O_WRONLY)
        try:
            written, broke = await _write_chunks(fd, offset, length, chunks, checksum, disconnected)
            if checksum is not None and (broke or not _matches(checksum, written)):
                os.ftruncate(fd, offset)
                if broke:
                    raise PartialWrite(0)
                raise ChecksumMismatch("The chunk's checksum does not match; it was discarded.")
            await asyncio.to_thread(os.fsync, fd)
        finally:
            os.close(fd)
        if broke:
            raise PartialWrite(written.size)
        return written.size

    def discard(self, upload_id: str) -> None:
        self.partial(upload_id).unlink(missing_ok=True)

    async def sha256_of(self, path: Path) -> str:
        return await asyncio.to_thread(hash_file, path)

    async def promote(self, upload_id: str, sha256: str) -> None:
        """Keep a verified upload under its content address; idempotent."""
        source = self.partial(upload_id)
        await self.backend.keep(sha256, source)
        source.unlink(missing_ok=True)

    async def quarantine(self, upload_id: str) -> None:
        await self.backend.quarantine(f"{upload_id}.bin", self.partial(upload_id))


def evidence_directory(settings: Settings) -> DirectoryBackend:
    """Where verified evidence lives when no bucket is configured."""
    return DirectoryBackend(settings.evidence_path / "evidence")


def evidence_store(settings: Settings) -> EvidenceStore:
    """The store the settings ask for: the evidence directory, or an S3 bucket beside it."""
    if not settings.evidence_s3_url:
        return EvidenceStore(settings.evidence_path, evidence_directory(settings))
    try:
        from server.uploads.evidence.s3 import S3Backend, S3Location, make_client  # noqa: PLC0415
    except ImportError as err:  # an optional extra: the default install has no S3 client
        raise SettingsError(
            "evidence_s3_url is set but the S3 client is not installed: pip install 'posbon[s3]'"
        ) from err
    location = S3Location(
        settings.evidence_s3_url, settings.evidence_s3_endpoint, settings.evidence_s3_region
    )
    return EvidenceStore(settings.evidence_path, S3Backend(location, make_client(location)))


class _Written:
    def __init__(self, checksum: Checksum | None) -> None:
        self.size = 0
        self.hasher = None if checksum is None else checksum.hasher()


async def _write_chunks(
    fd: int,
    offset: int,
    length: int,
    chunks: AsyncIterator[bytes],
    checksum: Checksum | None,
    disconnected: type[Exception],
) -> tuple[_Written, bool]:
    written = _Written(checksum)
    pending = bytearray()  # coalesce the server's small reads into fewer, larger writes
    try:
        async for chunk in chunks:
            if offset + written.size + len(pending) + len(chunk) > length:
                _flush(fd, offset, written, pending)
                os.ftruncate(fd, offset + written.size)
                raise TooLarge("The body goes past Upload-Length.")
            pending += chunk
            if len(pending) >= WRITE_BYTES:
                _flush(fd, offset, written, pending)
    except disconnected:
        _flush(fd, offset, written, pending)
        return written, True
    _flush(fd, offset, written, pending)
    return written, False


def _flush(fd: int, offset: int, written: _Written, pending: bytearray) -> None:
    if not pending:
        return
    os.pwrite(fd, pending, offset + written.size)
    written.size += len(pending)
    if written.hasher is not None:
        written.hasher.update(pending)
    pending.clear()


def _matches(checksum: Checksum, written: _Written) -> bool:
    return written.hasher is not None and written.hasher.digest() == checksum.digest
