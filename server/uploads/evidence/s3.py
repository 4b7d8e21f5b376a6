"""Evidence in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, Garage, SeaweedFS…).

Objects are `<prefix>sha256/ab/<hash>` with the hash also in their metadata; quarantined files are
`<prefix>quarantine/<name>`. The client is the MinIO SDK (`pip install 'posbon[s3]'`; this module
is imported only when a bucket is configured), which is blocking, so every call runs in a worker
thread. Credentials come from the usual `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (and
`AWS_SESSION_TOKEN`) variables, never from a flag, so they stay out of process listings.
Write-once retention is the bucket's business: with Object Lock and a default retention on it,
not even someone holding Posbon's keys can delete evidence.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Final, TypeVar
from urllib.parse import urlsplit

import urllib3
from minio import Minio
from minio.error import MinioException, S3Error

from server.settings import SettingsError
from server.uploads.evidence.base import (
    READ_BLOCK_BYTES,
    EvidenceBackend,
    EvidenceUnavailable,
    content_key,
)

CONNECT_TIMEOUT_S: Final = 5.0
READ_TIMEOUT_S: Final = 60.0
RETRIES: Final = 2
PART_BYTES: Final = 16 * 1024 * 1024
MISSING_CODES: Final = frozenset({"NoSuchKey", "NoSuchObject", "ResourceNotFound"})
T = TypeVar("T")


class S3Location:
    """`s3://bucket/prefix` plus the endpoint (`http(s)://host:port`; empty: AWS)."""

    def __init__(self, url: str, endpoint: str, region: str) -> None:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise SettingsError(f"evidence_s3_url must look like s3://bucket/prefix, not {url!r}")
        self.bucket = parts.netloc
        prefix = parts.path.strip("/")
        self.prefix = f"{prefix}/" if prefix else ""
        target = urlsplit(endpoint or "https://s3.amazonaws.com")
        if target.scheme not in {"http", "https"} or not target.netloc:
            raise SettingsError(
                f"evidence_s3_endpoint must look like http(s)://host[:port], not {endpoint!r}"
            )
        self.host = target.netloc
        self.secure = target.scheme == "https"
        self.region = region or None

    def key(self, relative: str) -> str:
        return self.prefix + relative


def make_client(location: S3Location, environ: dict[str, str] | None = None) -> Minio:
    env = os.environ if environ is None else environ
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT_S, read=READ_TIMEOUT_S),
        retries=urllib3.Retry(total=RETRIES, backoff_factor=0.2, status_forcelist=(502, 503, 504)),
    )
    return Minio(
        location.host,
        access_key=env.get("AWS_ACCESS_KEY_ID"),
        secret_key=env.get("AWS_SECRET_ACCESS_KEY"),
        session_token=env.get("AWS_SESSION_TOKEN"),
        secure=location.secure,
        region=location.region,
        http_client=http,
    )


class S3Backend(EvidenceBackend):
    def __init__(self, location: S3Location, client: Minio) -> None:
        self.location = location
        self.client = client

    async def _call(self, action: Callable[[], T]) -> T:
        try:
            return await asyncio.to_thread(action)
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as err:
            raise EvidenceUnavailable(
                f"The evidence bucket {self.location.bucket} at {self.location.host} failed: "
                f"{err}. Check that it is reachable and that the keys may write to it."
            ) from err

    async def keep(self, sha256: str, source: Path) -> None:
        size = (await asyncio.to_thread(source.stat)).st_size
        if await self.size_of(sha256) == size:
            return  # content-addressed: the same bytes are already there
        key = self.location.key(content_key(sha256))
        await self._call(
            lambda: self.client.fput_object(
                self.location.bucket,
                key,
                str(source),
                metadata={"sha256": sha256},
                part_size=PART_BYTES,
                num_parallel_uploads=1,
            )
        )

    async def quarantine(self, name: str, source: Path) -> None:
        key = self.location.key(f"quarantine/{name}")
        await self._call(
            lambda: self.client.fput_object(
                self.location.bucket, key, str(source), part_size=PART_BYTES
            )
        )
        await asyncio.to_thread(source.unlink)

    async def size_of(self, sha256: str) -> int | None:
        key = self.location.key(content_key(sha256))

        def stat() -> int | None:
            try:
                return self.client.stat_object(self.location.bucket, key).size
            except S3Error as err:
                if err.code in MISSING_CODES:
                    return None
                raise

        return await self._call(stat)

    async def read(self, sha256: str, start: int, length: int) -> AsyncIterator[bytes]:
        if length <= 0:
            return
        key = self.location.key(content_key(sha256))
        response = await self._call(
            lambda: self.client.get_object(self.location.bucket, key, offset=start, length=length)
        )
        try:
            while block := await self._call(lambda: response.read(READ_BLOCK_BYTES)):
                yield block
        finally:
            response.close()
            response.release_conn()

    async def delete(self, sha256: str) -> None:
        """S3 answers a deletion of a missing key with success too. A bucket whose Object
        Lock still retains the object refuses: EvidenceUnavailable, and the job tries again."""
        key = self.location.key(content_key(sha256))
        await self._call(lambda: self.client.remove_object(self.location.bucket, key))

    async def reachable(self) -> bool:
        try:
            return await self._call(lambda: self.client.bucket_exists(self.location.bucket))
        except EvidenceUnavailable:
            return False

    def where(self, sha256: str) -> str:
        return f"s3://{self.location.bucket}/{self.location.key(content_key(sha256))}"
