"""The demo's dispatcher works each incident's action plan: one step at a time while the crew is
on its way, calling the key-holders (each call recorded, a few unanswered) when a step asks for
it, so the demo's checklists fill in on the screen and its timelines carry every mark and call.

A plan's required steps hold the incident's close (server/plans/checklist.py), and the crews
resolve on their own pace: so before a crew resolves, whatever is still open is marked here,
the way a dispatcher finishes the list once the crew reports. Everything goes through the same
services the API uses.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Final

from server.auth.schemas import Principal
from server.contacts import service as contacts
from server.contacts.schemas import CallIn, CallResult
from server.db import Database
from server.plans import checklist
from server.plans.schemas import ChecklistStep, StepIn, StepKind, StepState

NO_ANSWER_CHANCE: Final = 0.25
"""How often a key-holder does not pick up: the next on the list is called."""
KEYHOLDERS_PER_STEP: Final = 3


class Desk:
    """The simulated dispatcher's hands on the checklist and the phone."""

    def __init__(
        self,
        db: Database,
        rng: random.Random,
        actor: Principal,
        time_zone: str,
        step_every_s: float,
    ) -> None:
        self.db = db
        self.rng = rng
        self.actor = actor
        self.time_zone = time_zone
        self.step_every_s = step_every_s
        self.last_step_at: dict[int, dt.datetime] = {}

    async def work(self, incident_id: int) -> None:
        """Mark the incident's next open step, at most one every `step_every_s`."""
        now = dt.datetime.now(dt.UTC)
        last = self.last_step_at.setdefault(incident_id, now)
        if (now - last).total_seconds() < self.step_every_s:
            return
        plan = await checklist.read_if_any(self.db, incident_id)
        step = None if plan is None else _next_open(plan.steps)
        if step is not None:
            await self._mark(incident_id, step)
        self.last_step_at[incident_id] = now

    async def finish(self, incident_id: int) -> None:
        """Mark every step still open: the crew is about to resolve."""
        plan = await checklist.read_if_any(self.db, incident_id)
        while plan is not None and (step := _next_open(plan.steps)) is not None:
            await self._mark(incident_id, step)
            plan = await checklist.read_if_any(self.db, incident_id)
        self.last_step_at.pop(incident_id, None)

    async def _mark(self, incident_id: int, step: ChecklistStep) -> None:
        mark = StepIn(state="done")
        if step.kind is StepKind.CALL_KEYHOLDERS:
            mark = await self._call_keyholders(incident_id)
        await checklist.mark_step(self.db, incident_id, step.index, mark, self.actor)

    async def _call_keyholders(self, incident_id: int) -> StepIn:
        """Call the ones available now in order until one answers; the step's mark says how
        it went."""
        now = dt.datetime.now(dt.UTC)
        listed = await contacts.who_to_call(self.db, incident_id, self.time_zone, now)
        available = [entry.contact for entry in listed.contacts if entry.available_now]
        if not available:
            return StepIn(state="skipped", reason="nobody on the site's list is available now")
        for contact in available[:KEYHOLDERS_PER_STEP]:
            answered = self.rng.random() >= NO_ANSWER_CHANCE
            result = CallResult.NO_ANSWER
            if answered:
                result = CallResult.PASSWORD_GIVEN if contact.has_password else CallResult.ANSWERED
            body = CallIn(contact_id=contact.id, phone=contact.phones[0], result=result)
            await contacts.record_call(self.db, incident_id, body, self.actor)
            if answered:
                return StepIn(state="done")
        return StepIn(state="failed", reason="no key-holder answered")


def _next_open(steps: list[ChecklistStep]) -> ChecklistStep | None:
    return next((step for step in steps if step.state is StepState.OPEN), None)
