"""What other domains add to an incident's opening and closing, without incidents importing them.

A domain that builds on incidents (server/plans: the action plan an incident follows) imports
incidents; were incidents to import it back, the domains would form a loop. So the incident
service calls out through two small registries, filled as a node is composed (server/app.py,
like the sync push rules):

* an *open hook* runs inside the transaction that opens an incident, after its "created" entry
  (the plan attaches there, so no incident is ever seen without the plan it follows);
* a *close check* runs inside a close's transaction, after the lifecycle allowed the move and
  before anything is written; it refuses by raising an `ApiError` (a 409 naming what is open),
  which leaves nothing behind, so a refused synced close is a clean rejected mutation. It gets
  the close's override reason ("" when none) and may record it.

Registering is by name and idempotent: composing a second node in one process changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from server.auth.schemas import Principal
from server.db import Database
from server.incidents.schemas import Incident

OpenHook = Callable[[Database, Incident, str], Awaitable[None]]
"""(db, the incident just opened, the actor that opened it)."""
CloseCheck = Callable[[Database, Incident, Principal, str], Awaitable[None]]
"""(db, the incident about to close, who closes it, the override reason or "")."""

_OPEN_HOOKS: Final[dict[str, OpenHook]] = {}
_CLOSE_CHECKS: Final[dict[str, CloseCheck]] = {}


def on_open(name: str, hook: OpenHook) -> None:
    _OPEN_HOOKS[name] = hook


def on_close(name: str, check: CloseCheck) -> None:
    _CLOSE_CHECKS[name] = check


async def opened(db: Database, incident: Incident, actor: str) -> None:
    for hook in list(_OPEN_HOOKS.values()):
        await hook(db, incident, actor)


async def check_close(db: Database, incident: Incident, who: Principal, override: str) -> None:
    for check in list(_CLOSE_CHECKS.values()):
        await check(db, incident, who, override)
