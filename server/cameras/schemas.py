from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Final

import msgspec

from recognition.cameras import CameraStatus
from server.text import MAX_ID, NO_NUL

Name = Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=200)]
StreamUrl = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^((rtsps?|https?|file)://[^\x00\s]+|/[^\x00]+)?$",
        max_length=1000,
        description="rtsp://, http(s):// (MJPEG) or a video file to pull frames from; empty for "
        "a camera that pushes JPEG frames to /api/v1/cameras/{id}/frames.",
    ),
]
FaceThreshold = Annotated[
    float,
    msgspec.Meta(ge=0.3, le=0.95, description="Overrides the watchlists' thresholds here."),
]
MAX_COOLDOWN_S: Final = 86_400
CooldownS = Annotated[
    float,
    msgspec.Meta(
        ge=0,
        le=MAX_COOLDOWN_S,
        description="Seconds: the same person or plate seen again within this is a sighting of "
        "the first alert, not a new alert. Empty: the server's recognition_cooldown_s.",
    ),
]
SiteId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]


class CameraKind(enum.StrEnum):
    FACE = "face"
    PLATE = "plate"
    BOTH = "both"

    @property
    def faces(self) -> bool:
        return self is not CameraKind.PLATE

    @property
    def plates(self) -> bool:
        return self is not CameraKind.FACE


class CameraIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    site_id: SiteId | None = None
    kind: CameraKind = CameraKind.BOTH
    url: StreamUrl = ""
    enabled: bool = True
    face_threshold: FaceThreshold | None = None
    cooldown_s: CooldownS | None = None


class CameraPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    site_id: SiteId | msgspec.UnsetType | None = msgspec.UNSET
    kind: CameraKind | msgspec.UnsetType = msgspec.UNSET
    url: StreamUrl | msgspec.UnsetType = msgspec.UNSET
    enabled: bool | msgspec.UnsetType = msgspec.UNSET
    face_threshold: FaceThreshold | msgspec.UnsetType | None = msgspec.UNSET
    cooldown_s: CooldownS | msgspec.UnsetType | None = msgspec.UNSET


class Camera(msgspec.Struct, frozen=True, kw_only=True):
    """A camera as the API shows it: a password in its URL is masked."""

    id: int
    name: str
    site_id: int | None
    kind: CameraKind
    url: str
    pull: bool
    enabled: bool
    face_threshold: float | None
    cooldown_s: float | None
    created_at: dt.datetime


class CameraHealth(msgspec.Struct, frozen=True, kw_only=True):
    camera_id: int
    name: str
    status: CameraStatus | None  # None: no frame seen since the server started


class FrameStatus(enum.StrEnum):
    ANALYSED = "analysed"
    DROPPED = "dropped"  # a newer frame from this camera replaced it, or the queue was full
    QUEUED = "queued"  # handed to the external recognition workers (recognition_workers=external)


class FrameResult(msgspec.Struct, frozen=True, kw_only=True):
    status: FrameStatus
    faces: int = 0
    plates: list[str] = msgspec.field(default_factory=list)
    alerts: list[int] = msgspec.field(default_factory=list)  # alerts raised by this frame
    sightings: list[int] = msgspec.field(default_factory=list)  # alerts this frame saw again


class CameraConfig(msgspec.Struct, frozen=True, kw_only=True):
    """A camera as the server uses it (never returned: the URL may hold a password)."""

    id: int
    name: str
    site_id: int | None
    kind: CameraKind
    url: str
    enabled: bool
    face_threshold: float | None
    cooldown_s: float | None
    created_at: dt.datetime

    @property
    def pull(self) -> bool:
        return bool(self.url)

    def public(self) -> Camera:
        return Camera(
            id=self.id,
            name=self.name,
            site_id=self.site_id,
            kind=self.kind,
            url=mask_password(self.url),
            pull=self.pull,
            enabled=self.enabled,
            face_threshold=self.face_threshold,
            cooldown_s=self.cooldown_s,
            created_at=self.created_at,
        )


def mask_password(url: str) -> str:
    """rtsp://user:secret@host/… → rtsp://user:***@host/…"""
    scheme, separator, rest = url.partition("://")
    credentials, at, host = rest.partition("@")
    if not separator or not at or ":" not in credentials or "/" in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
