"""Evidence bytes on disk: partial uploads, then content-addressed read-only files.

Writes go to `uploads/<id>.part` at explicit offsets (pwrite), so bytes past the acknowledged
offset left by a crash are simply overwritten by the resumed upload. Nothing is acknowledged
before `fsync`. A verified file moves to `evidence/sha256/ab/<hash>` and is made read-only;
a file whose hash does not match moves to `evidence/quarantine/`.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

from server.uploads.tus import Checksum, ChecksumMismatch, TooLarge

HASH_BLOCK_BYTES: Final = 4 * 1024 * 1024
WRITE_BYTES: Final = 256 * 1024
READ_ONLY: Final = stat.S_IRUSR | stat.S_IRGRP


class PartialWrite(Exception):
    """The client went away mid-chunk; `written` bytes were stored and synced."""

    def __init__(self, written: int) -> None:
        super().__init__(f"{written} bytes stored before the client went away")
        self.written = written


class EvidenceStore:
    def __init__(self, data_dir: Path) -> None:
        self.partial_dir = data_dir / "uploads"
        self.evidence_dir = data_dir / "evidence" / "sha256"
        self.quarantine_dir = data_dir / "evidence" / "quarantine"
        for folder in (self.partial_dir, self.evidence_dir, self.quarantine_dir):
            folder.mkdir(parents=True, exist_ok=True)

    def partial(self, upload_id: str) -> Path:
        return self.partial_dir / f"{upload_id}.part"

    def evidence(self, sha256: str) -> Path:
        return self.evidence_dir / sha256[:2] / sha256

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
        return await asyncio.to_thread(_hash_file, path)

    def promote(self, upload_id: str, sha256: str) -> Path:
        """Move a verified upload to its content address, read-only; idempotent."""
        target = self.evidence(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        source = self.partial(upload_id)
        if target.exists():
            source.unlink(missing_ok=True)
        else:
            source.chmod(READ_ONLY)
            source.replace(target)
        return target

    def quarantine(self, upload_id: str) -> Path:
        target = self.quarantine_dir / f"{upload_id}.bin"
        self.partial(upload_id).replace(target)
        return target


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


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(HASH_BLOCK_BYTES):
            digest.update(block)
    return digest.hexdigest()
