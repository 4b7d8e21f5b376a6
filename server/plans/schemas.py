"""Action plans: what a monitoring centre does after an alarm, as data.

A plan is named, covers one alert kind and optionally a site kind or one site (the most specific
plan wins: site > site kind > kind only), and lists ordered steps, each required or advisory.
Editing a plan stores a new version; versions are never changed, and an incident records the
plan id and version it follows, so what a dispatcher was asked to do stays readable.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Final, Literal

import msgspec

from server.alerts.schemas import AlertKind
from server.text import MAX_ID, NO_NUL, Text40, Text2000

MAX_STEPS: Final = 50
PlanName = Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=200)]
StepText = Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=400)]
SiteId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]


class StepKind(enum.StrEnum):
    """What a step asks for; the page may draw a step by its kind (a call, a dispatch)."""

    CALL_SITE = "call_site"
    CALL_KEYHOLDERS = "call_keyholders"
    DISPATCH = "dispatch"
    NOTIFY_POLICE = "notify_police"
    NOTIFY_KEYHOLDERS = "notify_keyholders"
    VERIFY_VIDEO = "verify_video"
    OTHER = "other"


class StepState(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"


NEEDS_REASON: Final = frozenset({StepState.SKIPPED, StepState.FAILED})
"""A skipped or failed step says why: the next shift and the auditor read it."""


class PlanStep(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    text: StepText
    kind: StepKind = StepKind.OTHER
    required: bool = True
    """Required steps must be done, skipped or failed before the incident closes; advisory
    steps never hold a close."""


class PlanIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A plan as an admin writes it; an update sends the whole plan again (a new version)."""

    name: PlanName
    alert_kind: AlertKind
    site_kind: Text40 | None = None
    site_id: SiteId | None = None
    steps: Annotated[list[PlanStep], msgspec.Meta(min_length=1, max_length=MAX_STEPS)]


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    """A plan as its current version has it."""

    id: int
    name: str
    alert_kind: str
    site_kind: str | None
    site_id: int | None
    active: bool
    version: int
    steps: list[PlanStep]
    created_at: dt.datetime
    updated_at: dt.datetime


class PlanVersion(msgspec.Struct, frozen=True, kw_only=True):
    """One stored version, as it was written (immutable)."""

    plan_id: int
    version: int
    name: str
    alert_kind: str
    site_kind: str | None
    site_id: int | None
    steps: list[PlanStep]
    created_by: str
    created_at: dt.datetime


class StepIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    state: Literal["done", "skipped", "failed"]
    reason: Text2000 = ""

    @property
    def step_state(self) -> StepState:
        return StepState(self.state)


class OverrideIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    reason: Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=2000)]


class ChecklistStep(msgspec.Struct, frozen=True, kw_only=True):
    index: int
    text: str
    kind: StepKind
    required: bool
    state: StepState
    actor: str | None = None
    at: dt.datetime | None = None
    reason: str = ""


class PlanOverride(msgspec.Struct, frozen=True, kw_only=True):
    reason: str
    actor: str
    at: dt.datetime


class Checklist(msgspec.Struct, frozen=True, kw_only=True):
    """An incident's plan with the state of each step: GET /api/v1/incidents/{id}/plan, and the
    `plan` event on the dispatcher stream when it changes."""

    incident_id: int
    plan_id: int
    plan_name: str
    version: int
    attached_at: dt.datetime
    steps: list[ChecklistStep]
    open_required: list[int]
    """The indexes of required steps still open: while any is, a close needs an override."""
    override: PlanOverride | None = None
