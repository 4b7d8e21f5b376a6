"""The sync transport over HTTP, with httpx: the thin pump around :mod:`sync.transport`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Final

import httpx

from sync.errors import UnreachableError
from sync.messages import SnapshotRequest
from sync.transport import error_for

HTTP_OK: Final = 200
DEFAULT_TIMEOUT_S: Final = 30.0
PUSH_PATH: Final = "/sync/v1/push"
PULL_PATH: Final = "/sync/v1/pull"
SNAPSHOT_PATH: Final = "/sync/v1/snapshot"


class HttpTransport:
    """Implements :class:`sync.transport.Transport` against a Posbon server."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        client: httpx.AsyncClient | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self._client = client or httpx.AsyncClient(base_url=base_url, timeout=timeout_s)
        self._owns_client = client is None
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    async def aclose(self) -> None:
        """Close the connection pool if this transport made it."""
        if self._owns_client:
            await self._client.aclose()

    async def _post(self, path: str, body: bytes) -> bytes:
        try:
            response = await self._client.post(path, content=body, headers=self._headers)
        except httpx.HTTPError as err:
            raise UnreachableError(f"{path}: {err!r}") from err
        if response.status_code != HTTP_OK:
            raise error_for(response.status_code, response.content)
        return response.content

    async def push(self, body: bytes) -> bytes:
        """POST /sync/v1/push."""
        return await self._post(PUSH_PATH, body)

    async def pull(self, body: bytes) -> bytes:
        """POST /sync/v1/pull."""
        return await self._post(PULL_PATH, body)

    async def snapshot(self, request: SnapshotRequest) -> AsyncIterator[bytes]:
        """GET /sync/v1/snapshot, one page per NDJSON line."""
        params: dict[str, str | int] = {
            "scope": request.scope,
            "device_id": str(request.device_id),
            "schema_version": request.schema_version,
            "limit": request.limit,
        }
        if request.after_id is not None:
            params["after_id"] = str(request.after_id)
        try:
            async with self._client.stream(
                "GET", SNAPSHOT_PATH, params=params, headers=self._headers
            ) as response:
                if response.status_code != HTTP_OK:
                    raise error_for(response.status_code, await response.aread())
                async for line in response.aiter_lines():
                    if line:
                        yield line.encode()
        except httpx.HTTPError as err:
            raise UnreachableError(f"{SNAPSHOT_PATH}: {err!r}") from err
