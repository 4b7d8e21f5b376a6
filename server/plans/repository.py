"""Plan rows in and Structs out; nothing above this module sees a row.

A plan row holds its scope and current version; each version (its name, scope and steps as
written) is its own row, inserted once and never updated, so an incident's recorded version can
always be read back as it was.

Writes: plans, plan_versions
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import msgspec

from server.db import Database
from server.plans.schemas import Plan, PlanIn, PlanStep, PlanVersion
from server.sql import insert_returning_id

_STEPS: Final = msgspec.json.Encoder()
_STEPS_IN: Final = msgspec.json.Decoder(list[PlanStep])
_SELECT: Final = (
    "SELECT p.id, p.name, p.alert_kind, p.site_kind, p.site_id, p.active, p.version, "
    "p.created_at, p.updated_at, v.steps FROM plans p "
    "JOIN plan_versions v ON v.plan_id = p.id AND v.version = p.version"
)


def _to_plan(row: dict[str, Any]) -> Plan:
    return Plan(
        id=row["id"],
        name=row["name"],
        alert_kind=row["alert_kind"],
        site_kind=row["site_kind"],
        site_id=row["site_id"],
        active=bool(row["active"]),
        version=row["version"],
        steps=_STEPS_IN.decode(row["steps"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def find(db: Database, plan_id: int, *, lock: bool = False) -> Plan | None:
    suffix = db.for_update.replace("FOR UPDATE", "FOR UPDATE OF p") if lock else ""
    row = await db.fetch_one(f"{_SELECT} WHERE p.id = {{}}{suffix}", plan_id)
    return None if row is None else _to_plan(row)


async def find_by_name(db: Database, name: str) -> Plan | None:
    row = await db.fetch_one(f"{_SELECT} WHERE p.name = {{}}", name)
    return None if row is None else _to_plan(row)


async def search(
    db: Database, *, alert_kind: str | None, active: bool | None, limit: int, offset: int
) -> list[Plan]:
    conditions: list[str] = []
    args: list[Any] = []
    if alert_kind is not None:
        conditions.append("p.alert_kind = {}")
        args.append(alert_kind)
    if active is not None:
        conditions.append("p.active = {}")
        args.append(active)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    sql = f"{_SELECT}{where} ORDER BY p.id LIMIT {{}} OFFSET {{}}"
    return [_to_plan(row) for row in await db.fetch(sql, *args, limit, offset)]


async def candidates(db: Database, alert_kind: str, site_id: int | None) -> list[Plan]:
    """The active plans of `alert_kind` that may cover an incident at `site_id`: its own, and
    every site kind's and the kind's (matching.py picks)."""
    sql = (
        f"{_SELECT} WHERE p.active = {{}} AND p.alert_kind = {{}} "
        "AND (p.site_id IS NULL OR p.site_id = {})"
    )
    return [_to_plan(row) for row in await db.fetch(sql, True, alert_kind, site_id or 0)]


async def covering_same_scope(db: Database, body: PlanIn, except_id: int | None) -> Plan | None:
    """The other active plan with exactly this scope, if any (the unique index's rule, asked
    first so the refusal can name the plan)."""
    sql = (
        f"{_SELECT} WHERE p.active = {{}} AND p.alert_kind = {{}} "
        "AND COALESCE(p.site_kind, '') = {} AND COALESCE(p.site_id, 0) = {} AND p.id <> {}"
    )
    row = await db.fetch_one(
        sql, True, body.alert_kind.value, body.site_kind or "", body.site_id or 0, except_id or 0
    )
    return None if row is None else _to_plan(row)


async def insert(db: Database, body: PlanIn, actor: str, now: dt.datetime) -> int:
    plan_id = await insert_returning_id(
        db,
        "INSERT INTO plans (name, alert_kind, site_kind, site_id, active, version, created_at, "
        "updated_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {})",
        body.name,
        body.alert_kind.value,
        body.site_kind,
        body.site_id,
        True,
        1,
        now,
        now,
    )
    await _insert_version(db, plan_id, 1, body, actor, now)
    return plan_id


async def add_version(db: Database, plan: Plan, body: PlanIn, actor: str, now: dt.datetime) -> None:
    """Make `body` the plan's next version (the caller holds the plan's row lock)."""
    version = plan.version + 1
    await _insert_version(db, plan.id, version, body, actor, now)
    await db.fetch(
        "UPDATE plans SET name = {}, alert_kind = {}, site_kind = {}, site_id = {}, "
        "version = {}, updated_at = {} WHERE id = {}",
        body.name,
        body.alert_kind.value,
        body.site_kind,
        body.site_id,
        version,
        now,
        plan.id,
    )


async def deactivate(db: Database, plan_id: int, now: dt.datetime) -> None:
    await db.fetch(
        "UPDATE plans SET active = {}, updated_at = {} WHERE id = {}", False, now, plan_id
    )


async def _insert_version(
    db: Database, plan_id: int, version: int, body: PlanIn, actor: str, now: dt.datetime
) -> None:
    await db.fetch(
        "INSERT INTO plan_versions (plan_id, version, name, alert_kind, site_kind, site_id, "
        "steps, created_by, created_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})",
        plan_id,
        version,
        body.name,
        body.alert_kind.value,
        body.site_kind,
        body.site_id,
        _STEPS.encode(body.steps).decode(),
        actor,
        now,
    )


async def find_version(db: Database, plan_id: int, version: int) -> PlanVersion | None:
    row = await db.fetch_one(
        "SELECT plan_id, version, name, alert_kind, site_kind, site_id, steps, created_by, "
        "created_at FROM plan_versions WHERE plan_id = {} AND version = {}",
        plan_id,
        version,
    )
    if row is None:
        return None
    return PlanVersion(
        plan_id=row["plan_id"],
        version=row["version"],
        name=row["name"],
        alert_kind=row["alert_kind"],
        site_kind=row["site_kind"],
        site_id=row["site_id"],
        steps=_STEPS_IN.decode(row["steps"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
    )
