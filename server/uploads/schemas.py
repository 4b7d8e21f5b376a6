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
