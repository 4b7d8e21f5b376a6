"""The plan each incident follows and the state of its steps: rows in, Structs out.

Writes: incident_plans, incident_plan_steps
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import msgspec

from server.db import Database
from server.plans.schemas import PlanOverride, StepState


class Attached(msgspec.Struct, frozen=True, kw_only=True):
    incident_id: int
    plan_id: int
    version: int
    attached_at: dt.datetime
    override: PlanOverride | None


class StepMark(msgspec.Struct, frozen=True, kw_only=True):
    index: int
    state: StepState
    actor: str
    reason: str
    at: dt.datetime


_UPSERT_STEP: Final = (
    "INSERT INTO incident_plan_steps (incident_id, step_index, state, actor, reason, at) "
    "VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT (incident_id, step_index) DO UPDATE SET "
    "state = excluded.state, actor = excluded.actor, reason = excluded.reason, at = excluded.at"
)


async def attach(
    db: Database, incident_id: int, plan_id: int, version: int, at: dt.datetime
) -> None:
    await db.fetch(
        "INSERT INTO incident_plans (incident_id, plan_id, version, attached_at) "
        "VALUES ({}, {}, {}, {}) ON CONFLICT (incident_id) DO NOTHING",
        incident_id,
        plan_id,
        version,
        at,
    )


async def find(db: Database, incident_id: int) -> Attached | None:
    row = await db.fetch_one(
        "SELECT incident_id, plan_id, version, attached_at, override_reason, override_by, "
        "override_at FROM incident_plans WHERE incident_id = {}",
        incident_id,
    )
    if row is None:
        return None
    override = None
    if row["override_reason"] is not None:
        override = PlanOverride(
            reason=row["override_reason"], actor=row["override_by"], at=row["override_at"]
        )
    return Attached(
        incident_id=row["incident_id"],
        plan_id=row["plan_id"],
        version=row["version"],
        attached_at=row["attached_at"],
        override=override,
    )


async def marks(db: Database, incident_id: int) -> dict[int, StepMark]:
    rows = await db.fetch(
        "SELECT step_index, state, actor, reason, at FROM incident_plan_steps "
        "WHERE incident_id = {}",
        incident_id,
    )
    return {
        int(row["step_index"]): StepMark(
            index=int(row["step_index"]),
            state=StepState(row["state"]),
            actor=row["actor"],
            reason=row["reason"],
            at=row["at"],
        )
        for row in rows
    }


async def mark(db: Database, incident_id: int, step: StepMark) -> None:
    await db.fetch(
        _UPSERT_STEP, incident_id, step.index, step.state.value, step.actor, step.reason, step.at
    )


async def set_override(db: Database, incident_id: int, override: PlanOverride) -> None:
    await db.fetch(
        "UPDATE incident_plans SET override_reason = {}, override_by = {}, override_at = {} "
        "WHERE incident_id = {}",
        override.reason,
        override.actor,
        override.at,
        incident_id,
    )
