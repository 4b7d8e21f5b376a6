"""The interface every evidence backend implements.

Verified evidence is content-addressed: a file is kept under its SHA-256 and never overwritten,
so keeping the same file twice is harmless (a retried finish, two uploads of one recording).
Partial uploads are not a backend's business: they stay in the staging directory until the
whole file is hashed (`server.uploads.storage`).
"""

from __future__ import annotations

import abc
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

from server.errors import ServiceUnavailable

READ_BLOCK_BYTES: Final = 1024 * 1024
HASH_BLOCK_BYTES: Final = 4 * 1024 * 1024


class EvidenceUnavailable(ServiceUnavailable):
    """The backend could not be reached or refused the request; nothing was changed."""

    code = "evidence_store_unavailable"


class EvidenceBackend(abc.ABC):
    @abc.abstractmethod
    async def keep(self, sha256: str, source: Path) -> None:
        """Store the verified file `source` under its hash; returns only once it is durable.

        The source file is left in place: the caller removes it afterwards."""

    @abc.abstractmethod
    async def quarantine(self, name: str, source: Path) -> None:
        """Keep a file whose hash did not match apart from evidence, for inspection."""

    @abc.abstractmethod
    async def size_of(self, sha256: str) -> int | None:
        """The kept file's size in bytes, or None when it is missing."""

    @abc.abstractmethod
    def read(self, sha256: str, start: int, length: int) -> AsyncIterator[bytes]:
        """`length` bytes of the kept file from `start`, in blocks."""

    @abc.abstractmethod
    async def delete(self, sha256: str) -> None:
        """Remove the kept file at the end of its retention; a file already gone is success
        (a retried deletion). The caller makes sure no other recording still needs it."""

    @abc.abstractmethod
    async def reachable(self) -> bool:
        """Whether files can be kept now (for /ready; never raises)."""

    @abc.abstractmethod
    def where(self, sha256: str) -> str:
        """Where the file lives, for messages: a path or an s3:// address."""

    async def sha256_of(self, sha256: str) -> str:
        """Re-hash what is really stored (custody verification)."""
        size = await self.size_of(sha256)
        digest = hashlib.sha256()
        async for block in self.read(sha256, 0, size or 0):
            digest.update(block)
        return digest.hexdigest()


def content_key(sha256: str) -> str:
    """The relative name of a kept file: `sha256/ab/abcdef…`, as in both backends."""
    return f"sha256/{sha256[:2]}/{sha256}"


def hash_file(path: Path) -> str:
    """SHA-256 of a local file, hex; blocking (run it in a thread)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(HASH_BLOCK_BYTES):
            digest.update(block)
    return digest.hexdigest()
