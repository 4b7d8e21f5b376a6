"""Verification media as the API shows it: an incident's panel links and camera snapshots."""

from __future__ import annotations

import datetime as dt
import enum

import msgspec


class CaptureState(enum.StrEnum):
    PENDING = "pending"  # waiting for the worker (again, after a failed try)
    DONE = "done"  # the snapshot is evidence, linked to the incident
    FAILED = "failed"  # given up: the error says why


class Capture(msgspec.Struct, frozen=True, kw_only=True):
    """One camera's snapshot for one alarm."""

    id: int
    alert_id: int
    incident_id: int
    camera_id: int
    camera_name: str
    state: CaptureState
    attempts: int
    alarm_at: dt.datetime
    due_at: dt.datetime
    captured_at: dt.datetime | None = None
    recording_id: str | None = None
    """The evidence recording: its file is at /api/v1/recordings/{recording_id}/file."""
    sha256: str | None = None
    width: int | None = None
    height: int | None = None
    error: str = ""


class VerificationLink(msgspec.Struct, frozen=True, kw_only=True):
    """A panel's own verification link (DC-09 `[V…]`: photos or video its cameras took)."""

    alert_id: int
    url: str
    received_at: dt.datetime


class IncidentMedia(msgspec.Struct, frozen=True, kw_only=True):
    links: list[VerificationLink]
    snapshots: list[Capture]


class AlarmRef(msgspec.Struct, frozen=True, kw_only=True):
    """An alert the worker looks at: a device's alarm with its incident and site."""

    alert_id: int
    incident_id: int | None
    site_id: int | None
    device_id: int | None
    kind: str
    received_at: dt.datetime
