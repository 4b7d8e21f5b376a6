"""The push rules other domains add, so that sync applies them without importing those domains.

A push runs `sync.rules.OnApply` hooks on every mutation before anything is written: one hook
per rule set that a domain registered here. A domain that owns an entity's rules
(server/incidents/sync_rules.py for crew status changes: the incident lifecycle;
server/custody/sync_rules.py for recordings: ownership, access class, the custody log)
registers a factory once, by name, when the app is composed; each push asks every factory for
a hook bound to that push's caller and transaction. Registering a name again replaces its
factory, so composing twice is harmless. A domain may also listen for the incident reports a
push changed (`on_reports_changed`; the incidents keep the outcome a report proposes), called
once per push after its mutations, inside its transaction.

Sync sits below those domains: they import this module, and sync never imports them.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import msgspec

from server.auth.schemas import Principal
from server.db import Database
from server.sync.reports import ReportChanges
from server.sync.scopes import Lookup
from sync.hlc import HybridClock
from sync.mutations import AnyMutation, Receipt
from sync.rules import OnApply

OwnerOf = Callable[[uuid.UUID], Awaitable[str | None]]
"""The owner (`token:<id>` or `crew:<id>`) a sync device is bound to, if it ever pushed."""


class PushCaller(msgspec.Struct, frozen=True, kw_only=True):
    """What a rule may use during one push: the push's transaction, the node's sync clock (for
    the server's own writes, server/sync/writes.py), its caller and device, and the entities and
    device owners as that transaction sees them."""

    db: Database
    clock: HybridClock
    who: Principal
    device_id: uuid.UUID
    lookup: Lookup
    owner_of: OwnerOf


RuleFactory = Callable[[PushCaller], OnApply]
ReportListener = Callable[[Database, HybridClock, ReportChanges], Awaitable[None]]
"""Runs once a push has applied its mutations, inside its transaction, with the incident
reports it changed (server/sync/reports.py)."""

_FACTORIES: dict[str, RuleFactory] = {}
_REPORT_LISTENERS: dict[str, ReportListener] = {}


def register(name: str, factory: RuleFactory) -> None:
    """Run `factory`'s hook on every push from now on (replacing one registered as `name`)."""
    _FACTORIES[name] = factory


def on_reports_changed(name: str, listener: ReportListener) -> None:
    """Call `listener` after every push that changed a report (replacing one named `name`)."""
    _REPORT_LISTENERS[name] = listener


async def reports_changed(db: Database, clock: HybridClock, changes: ReportChanges) -> None:
    """Tell every registered listener, in the order they were registered."""
    for listener in _REPORT_LISTENERS.values():
        await listener(db, clock, changes)


def chain(*rules: OnApply) -> OnApply:
    """Several `OnApply` hooks as one, run in order."""

    async def apply(mutation: AnyMutation, receipt: Receipt) -> None:
        for rule in rules:
            await rule(mutation, receipt)

    return apply


def for_push(caller: PushCaller) -> OnApply:
    """Every registered rule set, in the order they were registered."""
    return chain(*(factory(caller) for factory in _FACTORIES.values()))
