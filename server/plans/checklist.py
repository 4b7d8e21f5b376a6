"""An incident's action plan as a checklist: attached when the incident opens, each step marked
done, skipped or failed by a dispatcher, and the close held while a required step is open.

Every change is one write transaction holding the incident's row lock: the step's state, a
timeline entry (so the hash-chained record says who did what, when and why) and a `plan` event
with the whole checklist on the dispatcher stream, so every open page shows the same list.

A close with a required step open is refused (409 `plan_steps_open`, naming the steps) unless it
carries an override reason; the override is kept on the incident's plan and put on the timeline,
and may also be given ahead of the close (`override`), which is what the dispatcher page does.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from server.auth.schemas import Principal
from server.db import Database
from server.errors import Conflict, NotFound, Unprocessable
from server.incidents import repository as incident_repository
from server.incidents.lifecycle import CLOSED
from server.incidents.schemas import Incident
from server.incidents.service import record
from server.incidents.timeline import EntryFacts
from server.plans import checklist_repository, matching, repository
from server.plans.checklist_repository import Attached, StepMark
from server.plans.schemas import (
    NEEDS_REASON,
    Checklist,
    ChecklistStep,
    OverrideIn,
    PlanOverride,
    PlanStep,
    StepIn,
    StepState,
)
from server.relay import outbox
from server.relay.outbox import DISPATCH_STREAM
from server.sites.repository import sites

PLAN_EVENT: Final = "plan"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def attach_plan(db: Database, incident: Incident, actor: str) -> None:
    """The open hook (server/incidents/hooks.py): attach the most specific active plan's
    current version, inside the transaction that opens the incident."""
    site = None if incident.site.id is None else await sites.find(db, incident.site.id)
    scope = matching.Scope(
        alert_kind=incident.kind,
        site_id=incident.site.id,
        site_kind=None if site is None else site.kind,
    )
    plan = matching.most_specific(
        await repository.candidates(db, incident.kind, incident.site.id), scope
    )
    if plan is None:
        return
    await checklist_repository.attach(db, incident.id, plan.id, plan.version, incident.created_at)
    data = {
        "plan_id": plan.id,
        "plan": plan.name,
        "version": plan.version,
        "steps": len(plan.steps),
        "required": sum(step.required for step in plan.steps),
    }
    facts = EntryFacts(
        incident_id=incident.id,
        at=incident.created_at,
        actor=actor,
        kind="plan_attached",
        data=data,
    )
    await record(db, facts)
    await _publish(db, incident.id)


async def read_if_any(db: Database, incident_id: int) -> Checklist | None:
    """The incident's checklist; None when it follows no plan (404: no such incident)."""
    attached = await checklist_repository.find(db, incident_id)
    if attached is not None:
        return await _checklist(db, attached)
    if await incident_repository.find(db, incident_id) is None:
        raise NotFound(f"There is no incident with id {incident_id}.")
    return None


async def read(db: Database, incident_id: int) -> Checklist:
    attached = await checklist_repository.find(db, incident_id)
    if attached is None:
        raise NotFound(f"Incident {incident_id} has no action plan.")
    return await _checklist(db, attached)


async def _checklist(db: Database, attached: Attached) -> Checklist:
    version = await repository.find_version(db, attached.plan_id, attached.version)
    assert version is not None  # versions are never deleted
    marks = await checklist_repository.marks(db, attached.incident_id)
    steps = [_step(index, step, marks.get(index)) for index, step in enumerate(version.steps)]
    return Checklist(
        incident_id=attached.incident_id,
        plan_id=attached.plan_id,
        plan_name=version.name,
        version=attached.version,
        attached_at=attached.attached_at,
        steps=steps,
        open_required=[s.index for s in steps if s.required and s.state is StepState.OPEN],
        override=attached.override,
    )


def _step(index: int, step: PlanStep, mark: StepMark | None) -> ChecklistStep:
    if mark is None:
        return ChecklistStep(
            index=index,
            text=step.text,
            kind=step.kind,
            required=step.required,
            state=StepState.OPEN,
        )
    return ChecklistStep(
        index=index,
        text=step.text,
        kind=step.kind,
        required=step.required,
        state=mark.state,
        actor=mark.actor,
        at=mark.at,
        reason=mark.reason,
    )


async def _publish(db: Database, incident_id: int) -> Checklist:
    checklist = await read(db, incident_id)
    await outbox.append(db, DISPATCH_STREAM, PLAN_EVENT, checklist)
    return checklist


async def _open_incident(db: Database, incident_id: int) -> tuple[Incident, Attached]:
    """The incident, row-locked, with its plan; refused when it has none or has closed."""
    incident = await incident_repository.find(db, incident_id, lock=True)
    if incident is None:
        raise NotFound(f"There is no incident with id {incident_id}.")
    attached = await checklist_repository.find(db, incident_id)
    if attached is None:
        raise NotFound(f"Incident {incident_id} has no action plan.")
    if incident.status in CLOSED:
        raise Conflict(
            f"Incident {incident_id} is closed; its action plan can no longer change.",
            code="plan_incident_closed",
        )
    return incident, attached


async def mark_step(
    db: Database, incident_id: int, index: int, body: StepIn, who: Principal
) -> Checklist:
    """Mark step `index` done, skipped or failed (skip and fail say why); marking it again
    records the new state too (a failed call that a later call made good)."""
    reason = body.reason.strip()
    if body.step_state in NEEDS_REASON and not reason:
        raise Unprocessable(
            f"A {body.state} step needs a reason; say why in 'reason'.",
            code="plan_reason_required",
        )
    async with db.write():
        _, attached = await _open_incident(db, incident_id)
        checklist = await _checklist(db, attached)
        if not 0 <= index < len(checklist.steps):
            raise NotFound(f"The action plan of incident {incident_id} has no step {index}.")
        step = checklist.steps[index]
        now = _now()
        mark = StepMark(index=index, state=body.step_state, actor=who.actor, reason=reason, at=now)
        await checklist_repository.mark(db, incident_id, mark)
        data = {
            "index": index,
            "step": step.text,
            "state": body.state,
            "required": step.required,
            "reason": reason,
        }
        facts = EntryFacts(
            incident_id=incident_id, at=now, actor=who.actor, kind="plan_step", data=data
        )
        await record(db, facts)
        return await _publish(db, incident_id)


async def override(db: Database, incident_id: int, body: OverrideIn, who: Principal) -> Checklist:
    """Let the incident close with its required steps open, for the reason given."""
    async with db.write():
        _, attached = await _open_incident(db, incident_id)
        checklist = await _checklist(db, attached)
        if not checklist.open_required:
            raise Conflict(
                f"Incident {incident_id} has no required plan step open; close it as usual.",
                code="plan_no_open_steps",
            )
        await _record_override(db, checklist, body.reason.strip(), who)
        return await _publish(db, incident_id)


async def _record_override(db: Database, checklist: Checklist, reason: str, who: Principal) -> None:
    now = _now()
    await checklist_repository.set_override(
        db, checklist.incident_id, PlanOverride(reason=reason, actor=who.actor, at=now)
    )
    open_steps = [checklist.steps[index].text for index in checklist.open_required]
    data = {"reason": reason, "open": checklist.open_required, "open_steps": open_steps}
    facts = EntryFacts(
        incident_id=checklist.incident_id, at=now, actor=who.actor, kind="plan_override", data=data
    )
    await record(db, facts)


def _named(checklist: Checklist) -> str:
    return "; ".join(f"{i + 1}. {checklist.steps[i].text}" for i in checklist.open_required)


async def check_close(db: Database, incident: Incident, who: Principal, reason: str) -> None:
    """The close check (server/incidents/hooks.py): refuse a close while a required step is
    open, unless overridden now (`reason`) or before."""
    attached = await checklist_repository.find(db, incident.id)
    if attached is None or attached.override is not None:
        return
    checklist = await _checklist(db, attached)
    if not checklist.open_required:
        return
    if reason.strip():
        await _record_override(db, checklist, reason.strip(), who)
        await outbox.append(db, DISPATCH_STREAM, PLAN_EVENT, await read(db, incident.id))
        return
    raise Conflict(
        f"Incident {incident.id} has required plan steps open: {_named(checklist)}. Mark each "
        "done, skipped or failed, or close with an override reason.",
        code="plan_steps_open",
    )
