"""Writing a court package's ZIP: files in, the signed manifest last.

The evidence files are streamed in blocks straight from the evidence backend into the archive
(stored, not compressed: video does not shrink, and a stored entry is the file's own bytes) with
ZIP64 records, so neither a recording's size nor the package's is limited and no video is ever
held in memory. Each file is hashed while it is written: what the manifest lists is what went
into the archive. Small text files (custody logs, README, manifest) are deflated.

No database and no network: package.py gathers the facts, this writes them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import zipfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Final

import msgspec

from server.evidence.package_manifest import (
    MANIFEST_NAME,
    PUBLIC_KEY_NAME,
    SIGNATURE_NAME,
    FileRole,
    PackageFile,
    PackageManifest,
    encode_manifest,
)
from server.evidence.signing import SigningKey

FILE_MODE: Final = 0o644
Progress = Callable[[int], object]
"""Called with the number of evidence bytes just written (a progress bar's `update`)."""


class PackageWriter:
    """One package being written to `path`; `seal` finishes it."""

    def __init__(self, path: Path, at: dt.datetime) -> None:
        self._zip = zipfile.ZipFile(path, "w", allowZip64=True)
        self._stamp = at.astimezone(dt.UTC).timetuple()[:6]
        self.files: list[PackageFile] = []

    async def add_stream(
        self,
        name: str,
        blocks: AsyncIterator[bytes],
        listed: tuple[FileRole, str | None],
        progress: Progress | None = None,
    ) -> PackageFile:
        """Stream a file in; `listed` is its role and recording for the manifest."""
        digest = hashlib.sha256()
        size = 0
        with self._zip.open(self._info(name, zipfile.ZIP_STORED), "w", force_zip64=True) as sink:
            async for block in blocks:
                await asyncio.to_thread(sink.write, block)
                digest.update(block)
                size += len(block)
                if progress is not None:
                    progress(len(block))
        return self._listed(name, digest.hexdigest(), size, listed)

    def add_bytes(self, name: str, data: bytes, listed: tuple[FileRole, str | None]) -> PackageFile:
        self._write(name, data, zipfile.ZIP_DEFLATED)
        return self._listed(name, hashlib.sha256(data).hexdigest(), len(data), listed)

    def seal(self, manifest: PackageManifest, key: SigningKey) -> bytes:
        """Write the manifest (with the files added so far), its signature and the public key;
        the manifest's bytes are returned."""
        encoded = encode_manifest(msgspec.structs.replace(manifest, files=list(self.files)))
        self._write(MANIFEST_NAME, encoded, zipfile.ZIP_DEFLATED)
        self._write(SIGNATURE_NAME, key.sign(encoded), zipfile.ZIP_STORED)
        self._write(PUBLIC_KEY_NAME, key.public_pem, zipfile.ZIP_STORED)
        return encoded

    def close(self) -> None:
        self._zip.close()

    def _info(self, name: str, compression: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._stamp)
        info.compress_type = compression
        info.external_attr = FILE_MODE << 16
        return info

    def _write(self, name: str, data: bytes, compression: int) -> None:
        self._zip.writestr(self._info(name, compression), data)

    def _listed(
        self, name: str, sha256: str, size: int, listed: tuple[FileRole, str | None]
    ) -> PackageFile:
        role, recording_id = listed
        entry = PackageFile(
            path=name, sha256=sha256, size_bytes=size, role=role, recording_id=recording_id
        )
        self.files.append(entry)
        return entry
