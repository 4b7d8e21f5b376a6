from __future__ import annotations

import datetime as dt

import msgspec

from server.uploads.tus import UploadState


class UploadRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    recording_id: str
    length: int
    offset: int
    state: UploadState
    metadata: dict[str, str]
    owner: str
    expected_sha256: str
    sha256: str | None
    category: str
    created_at: dt.datetime
    expires_at: dt.datetime
    finished_at: dt.datetime | None


class ExpectedRecording(msgspec.Struct, frozen=True, kw_only=True):
    """What the synced metadata says the file must be."""

    recording_id: str
    sha256: str
    size_bytes: int
    categories: list[str] = msgspec.field(default_factory=list)
    owner: str | None = None
    """The identity that synced it (`token:<id>` or `crew:<id>`), if known."""
    access_class: str | None = None
    verified_sha256: str | None = None
