"""The upload station's own durable record of each file: what it is, where its upload stands.

One SQLite file in the station's state folder; every step is committed before the next one, so a
station that restarts (or loses power) resumes exactly where it was and never deletes a file
the server has not confirmed.
"""

from __future__ import annotations

import enum
import sqlite3
from pathlib import Path

import msgspec


class FileState(enum.StrEnum):
    registered = "registered"  # metadata queued for sync
    uploaded = "uploaded"  # every byte acknowledged; waiting for the server's verification
    deleted = "deleted"  # the server confirmed the same SHA-256: the local copy is gone
    refused = "refused"  # the server refused the metadata or the upload for good


class LocalRecording(msgspec.Struct, frozen=True, kw_only=True):
    media: str
    sidecar: str
    size_bytes: int
    sha256: str
    recording_id: str
    priority: int
    recorded_start: str
    state: FileState
    upload_url: str | None = None
    problem: str = ""


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS files (media TEXT PRIMARY KEY, sidecar TEXT NOT NULL, "
    "size_bytes INTEGER NOT NULL, sha256 TEXT NOT NULL, recording_id TEXT NOT NULL, "
    "priority INTEGER NOT NULL, recorded_start TEXT NOT NULL, state TEXT NOT NULL, "
    "upload_url TEXT, problem TEXT NOT NULL DEFAULT '')"
)
_COLUMNS = (
    "media, sidecar, size_bytes, sha256, recording_id, priority, recorded_start, state, "
    "upload_url, problem"
)


class StationLedger:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def known(self, media: str) -> bool:
        return (
            self._db.execute("SELECT 1 FROM files WHERE media = ?", (media,)).fetchone() is not None
        )

    def add(self, item: LocalRecording) -> None:
        values = msgspec.structs.astuple(item)
        self._db.execute(
            f"INSERT INTO files ({_COLUMNS}) VALUES ({', '.join('?' * len(values))})",  # noqa: S608
            values,
        )

    def in_state(self, state: FileState) -> list[LocalRecording]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM files WHERE state = ? "  # noqa: S608
            "ORDER BY priority, size_bytes DESC, recorded_start",
            (state.value,),
        )
        return [LocalRecording(**dict(zip(_COLUMNS.split(", "), row, strict=True))) for row in rows]

    def set_url(self, media: str, url: str | None) -> None:
        self._db.execute("UPDATE files SET upload_url = ? WHERE media = ?", (url, media))

    def set_state(self, media: str, state: FileState, problem: str = "") -> None:
        self._db.execute(
            "UPDATE files SET state = ?, problem = ? WHERE media = ?", (state.value, problem, media)
        )
