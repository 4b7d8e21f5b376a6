"""A redaction job as the API shows it, its states and the reviewer's request bodies.

A job moves through these states, and only along these moves (`MOVES`):

    proposing ──► review ──► rendering ──► done
        │            ▲  │         │
        └──► failed ◄┴──┘◄────────┘        (review ──► review: the reviewer's edits)

The worker (server/evidence/redaction.py) does `proposing` and `rendering`; a person does the
moves out of `review`.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Final

import msgspec

from recognition.redaction import Track, VideoInfo


class RedactionState(enum.StrEnum):
    PROPOSING = "proposing"  # the worker looks for faces and plates
    REVIEW = "review"  # a person checks the boxes
    RENDERING = "rendering"  # the worker writes the blurred derivative
    DONE = "done"
    FAILED = "failed"


WORKING: Final = frozenset({RedactionState.PROPOSING, RedactionState.RENDERING})
"""The states the worker acts on; a job left in one of them by a stop is picked up again."""

MOVES: Final[Mapping[RedactionState, frozenset[RedactionState]]] = MappingProxyType(
    {
        RedactionState.PROPOSING: frozenset({RedactionState.REVIEW, RedactionState.FAILED}),
        RedactionState.REVIEW: frozenset({RedactionState.REVIEW, RedactionState.RENDERING}),
        RedactionState.RENDERING: frozenset({RedactionState.DONE, RedactionState.FAILED}),
        RedactionState.DONE: frozenset(),
        RedactionState.FAILED: frozenset(),
    }
)

MAX_TRACKS: Final = 2_000
MAX_KEYFRAMES: Final = 20_000
MAX_DETECT_EVERY_N_FRAMES: Final = 30


class Redaction(msgspec.Struct, frozen=True, kw_only=True):
    """One redaction job."""

    id: str
    recording_id: str
    """The original, which is never altered."""
    source_sha256: str
    state: RedactionState
    progress: float
    """0..1 of the current step (proposing or rendering)."""
    error: str = ""
    """Why it failed, in words; empty otherwise."""
    requested_by: str
    rendered_by: str | None = None
    detect_every_n_frames: int = 1
    attempts: int = 0
    """How many times the worker started on it (a restart mid-step starts it again)."""
    video: VideoInfo | None = None
    tracks: list[Track] | None = None
    derivative_id: str | None = None
    """The new recording holding the redacted copy (set when rendering starts)."""
    derivative_sha256: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime


class RedactionStart(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`POST /api/v1/recordings/{id}/redactions` (the body may be left out)."""

    detect_every_n_frames: Annotated[int, msgspec.Meta(ge=1, le=MAX_DETECT_EVERY_N_FRAMES)] = 1
    """Run the detectors on every n-th frame; tracking fills the frames between."""


class TrackList(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`PUT /api/v1/redactions/{id}/tracks`: the whole list as the reviewer left it."""

    tracks: Annotated[list[Track], msgspec.Meta(max_length=MAX_TRACKS)]
