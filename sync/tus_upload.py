"""A small tus 1.0 client for upload stations: create, resume from HEAD, PATCH with checksums.

The upload URL is kept by the caller (the station's ledger) keyed by recording id, so a restart
resumes where the server says the bytes end; an expired or unknown upload starts again.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Final

import httpx

from sync.errors import UnreachableError

TUS_VERSION: Final = "1.0.0"
DEFAULT_CHUNK_BYTES: Final = 8 * 1024 * 1024
CHECKSUM_MISMATCH: Final = 460
MAX_CHECKSUM_RETRIES: Final = 3
GONE: Final = (404, 410)
Progress = Callable[[int], None]


class TusUploader:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._client = client or httpx.AsyncClient(base_url=base_url, timeout=120)
        self._headers = {"Authorization": f"Bearer {token}", "Tus-Resumable": TUS_VERSION}
        self.chunk_bytes = chunk_bytes

    async def close(self) -> None:
        await self._client.aclose()

    async def create(self, path: Path, size: int, recording_id: str) -> str:
        encoded = base64.b64encode(recording_id.encode()).decode()
        response = await self._send(
            "POST",
            "/uploads/",
            {
                "Upload-Length": str(size),
                "Upload-Metadata": f"recording_id {encoded},filename "
                + base64.b64encode(path.name.encode()).decode(),
            },
        )
        _expect(response, 201)
        return response.headers["Location"]

    async def offset(self, url: str) -> int | None:
        """Where the server's bytes end, or None if the upload is gone."""
        response = await self._send("HEAD", url, {})
        if response.status_code in GONE:
            return None
        _expect(response, 200)
        return int(response.headers["Upload-Offset"])

    async def send(
        self, path: Path, size: int, url: str, start: int, progress: Progress | None = None
    ) -> int:
        """PATCH the rest of the file from `start`; returns the final offset."""
        offset = start
        while offset < size:
            chunk = await asyncio.to_thread(
                _read, path, offset, min(self.chunk_bytes, size - offset)
            )
            offset = await self._patch(url, offset, chunk)
            if progress is not None:
                progress(len(chunk))
        return offset

    async def _patch(self, url: str, offset: int, chunk: bytes) -> int:
        digest = base64.b64encode(hashlib.sha256(chunk).digest()).decode()
        for _ in range(MAX_CHECKSUM_RETRIES):
            response = await self._send(
                "PATCH",
                url,
                {
                    "Content-Type": "application/offset+octet-stream",
                    "Upload-Offset": str(offset),
                    "Upload-Checksum": f"sha256 {digest}",
                },
                chunk,
            )
            if response.status_code != CHECKSUM_MISMATCH:
                _expect(response, 204)
                return int(response.headers["Upload-Offset"])
        raise UnreachableError("the chunk kept arriving damaged; will retry later")

    async def _send(
        self, method: str, url: str, headers: dict[str, str], body: bytes = b""
    ) -> httpx.Response:
        try:
            return await self._client.request(
                method, url, headers=self._headers | headers, content=body or None
            )
        except httpx.HTTPError as err:
            raise UnreachableError(f"upload {method} failed: {err}") from err


class UploadRefusedError(Exception):
    """The server refused the upload for a reason a retry will not fix; the message says why."""


def _read(path: Path, offset: int, length: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read(length)


def _expect(response: httpx.Response, status: int) -> None:
    if response.status_code == status:
        return
    if response.status_code >= 500:
        raise UnreachableError(f"server error {response.status_code}")
    raise UploadRefusedError(f"{response.status_code}: {response.text[:300]}")
