"""Evidence in a directory: `<root>/sha256/ab/<hash>`, read-only, on the same file system as the
staging directory so that keeping a file is a rename. A directory every node mounts (NFS, CephFS)
makes it the cluster's evidence store."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

import anyio

from server.uploads.evidence.base import (
    READ_BLOCK_BYTES,
    EvidenceBackend,
    content_key,
    hash_file,
)

READ_ONLY: Final = stat.S_IRUSR | stat.S_IRGRP


class DirectoryBackend(EvidenceBackend):
    def __init__(self, root: Path) -> None:
        self.root = root
        self.quarantine_dir = root / "quarantine"
        for folder in (root / "sha256", self.quarantine_dir):
            folder.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.root / content_key(sha256)

    async def keep(self, sha256: str, source: Path) -> None:
        await asyncio.to_thread(_keep, source, self.path(sha256))

    async def quarantine(self, name: str, source: Path) -> None:
        await asyncio.to_thread(source.replace, self.quarantine_dir / name)

    async def size_of(self, sha256: str) -> int | None:
        return await asyncio.to_thread(_size, self.path(sha256))

    async def read(self, sha256: str, start: int, length: int) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self.path(sha256), "rb") as handle:
            await handle.seek(start)
            remaining = length
            while remaining > 0:
                block = await handle.read(min(READ_BLOCK_BYTES, remaining))
                if not block:
                    return
                remaining -= len(block)
                yield block

    async def delete(self, sha256: str) -> None:
        await asyncio.to_thread(_delete, self.path(sha256))

    async def reachable(self) -> bool:
        return await asyncio.to_thread(os.access, self.root / "sha256", os.W_OK)

    def where(self, sha256: str) -> str:
        return str(self.path(sha256))

    async def sha256_of(self, sha256: str) -> str:
        return await asyncio.to_thread(hash_file, self.path(sha256))


def _keep(source: Path, target: Path) -> None:
    if target.exists():
        return  # content-addressed: the same bytes are already there
    target.parent.mkdir(parents=True, exist_ok=True)
    source.chmod(READ_ONLY)
    # A hard link leaves the source for the caller to remove, as the interface says; where links
    # are not allowed (some shared file systems) a move gives a reader the same result.
    try:
        os.link(source, target)
    except OSError:
        source.replace(target)
    _sync_directory(target.parent)


def _delete(path: Path) -> None:
    path.unlink(missing_ok=True)  # read-only files go too: removal is the directory's business
    _sync_directory(path.parent)


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None


def _sync_directory(folder: Path) -> None:
    """Make the new directory entry durable (the file's bytes were fsynced when written)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
