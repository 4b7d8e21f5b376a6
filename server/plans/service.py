"""Plans as an admin keeps them: create, a new version per change, deactivate, read.

A change never edits a version: it adds the next one and points the plan at it, so incidents
that follow an older version still read exactly the steps they were given. At most one active
plan covers a scope (alert kind, and site kind or site); a second is refused naming the first.
"""

from __future__ import annotations

import datetime as dt

from server.db import Database
from server.errors import Conflict, NotFound, Unprocessable
from server.plans import repository
from server.plans.schemas import Plan, PlanIn, PlanVersion
from server.sites.repository import sites


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _check(db: Database, body: PlanIn, except_id: int | None) -> None:
    if body.site_id is not None and body.site_kind is not None:
        raise Unprocessable(
            "A plan covers one site or one site kind, not both: leave out site_kind or site_id.",
            code="plan_scope_both",
        )
    if body.site_id is not None and await sites.find(db, body.site_id) is None:
        raise Unprocessable(f"There is no site with id {body.site_id}.", code="unknown_site")
    other = await repository.covering_same_scope(db, body, except_id)
    if other is not None:
        raise Conflict(
            f"Plan {other.id} ({other.name}) already covers this alert kind and scope; "
            "change that plan or deactivate it first.",
            code="plan_scope_taken",
        )


async def create_plan(db: Database, body: PlanIn, actor: str) -> Plan:
    async with db.write():
        await _check(db, body, None)
        plan_id = await repository.insert(db, body, actor, _now())
        return await get_plan(db, plan_id)


async def update_plan(db: Database, plan_id: int, body: PlanIn, actor: str) -> Plan:
    """Store `body` as the plan's next version; the same plan sent again adds none."""
    async with db.write():
        plan = await _locked(db, plan_id)
        if _same(plan, body):
            return plan
        if plan.active:
            await _check(db, body, plan_id)
        await repository.add_version(db, plan, body, actor, _now())
        return await get_plan(db, plan_id)


async def deactivate_plan(db: Database, plan_id: int) -> Plan:
    """New incidents no longer follow it; those that do keep it (and its versions stay)."""
    async with db.write():
        plan = await _locked(db, plan_id)
        if plan.active:
            await repository.deactivate(db, plan_id, _now())
        return await get_plan(db, plan_id)


def _same(plan: Plan, body: PlanIn) -> bool:
    stored = (plan.name, plan.alert_kind, plan.site_kind, plan.site_id, plan.steps)
    return stored == (body.name, body.alert_kind.value, body.site_kind, body.site_id, body.steps)


async def _locked(db: Database, plan_id: int) -> Plan:
    plan = await repository.find(db, plan_id, lock=True)
    if plan is None:
        raise NotFound(f"There is no plan with id {plan_id}.")
    return plan


async def get_plan(db: Database, plan_id: int) -> Plan:
    plan = await repository.find(db, plan_id)
    if plan is None:
        raise NotFound(f"There is no plan with id {plan_id}.")
    return plan


async def get_version(db: Database, plan_id: int, version: int) -> PlanVersion:
    found = await repository.find_version(db, plan_id, version)
    if found is None:
        raise NotFound(f"Plan {plan_id} has no version {version}.")
    return found
