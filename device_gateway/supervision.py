"""Supervision: notice when a device goes silent, and when it speaks again.

Theory of operation. Each supervised account has an interval (the device row's
``supervision_s``) and the gateway's grace. Any valid message proves life (DC-09: "any message
restarts the supervision timer"), retransmissions included. An account is ONLINE until
``last_seen + interval + grace`` passes without a message; then it goes OFFLINE once, and back
ONLINE with the next message. Only those two transitions produce a :class:`LinkChange`, so a
silent device yields exactly one "offline" and one "restored", however long it stays away.

The clock is passed in (sans-I/O, like the protocols): :meth:`Supervisor.seen` on every message,
:meth:`Supervisor.expired` from a periodic tick. The server persists the changes and raises the
alerts; the gateway logs each change once.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final

import msgspec

DEFAULT_GRACE_S: Final = 30.0


class LinkState(enum.StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"


class LinkChange(msgspec.Struct, frozen=True, kw_only=True):
    account: str
    state: LinkState
    at: datetime
    last_seen: datetime | None
    interval_s: float


class Watched(msgspec.Struct, frozen=True, kw_only=True):
    """An account to supervise: ``online`` is its stored state when supervision starts."""

    account: str
    interval_s: float
    online: bool = True


class _Link:
    __slots__ = ("deadline", "interval_s", "last_seen", "state")

    def __init__(self, interval_s: float, state: LinkState, deadline: datetime) -> None:
        self.interval_s = interval_s
        self.state = state
        self.deadline = deadline
        self.last_seen: datetime | None = None


_TRANSITIONS: Final = {
    # (state, event) -> next state; anything else leaves the state as it is
    (LinkState.ONLINE, "lapsed"): LinkState.OFFLINE,
    (LinkState.OFFLINE, "message"): LinkState.ONLINE,
}


class Supervisor:
    def __init__(self, *, grace_s: float = DEFAULT_GRACE_S) -> None:
        self._grace = timedelta(seconds=grace_s)
        self._links: dict[str, _Link] = {}

    def configure(self, watched: Iterable[Watched], now: datetime, *, reset: bool = False) -> None:
        """Supervise exactly these accounts. New ones get a full interval from ``now``; known
        ones keep their state and last message and only take the new interval. ``reset``
        forgets what is known and starts every account from its stored state (a node taking
        supervision over from another one)."""
        if reset:
            self._links.clear()
        wanted = {item.account: item for item in watched if item.interval_s > 0}
        for account in self._links.keys() - wanted.keys():
            del self._links[account]
        for account, item in wanted.items():
            link = self._links.get(account)
            if link is None:
                state = LinkState.ONLINE if item.online else LinkState.OFFLINE
                self._links[account] = _Link(item.interval_s, state, self._deadline(now, item))
            elif link.interval_s != item.interval_s:
                link.interval_s = item.interval_s
                link.deadline = self._deadline(link.last_seen or now, item)

    def state(self, account: str) -> LinkState | None:
        link = self._links.get(account)
        return None if link is None else link.state

    def seen(self, account: str, now: datetime) -> LinkChange | None:
        """A valid message from ``account``; returns the restore if it was offline."""
        link = self._links.get(account)
        if link is None or (link.last_seen is not None and now <= link.last_seen):
            return None  # unknown, or older news than what is known (heard on another node)
        link.last_seen = now
        link.deadline = now + timedelta(seconds=link.interval_s) + self._grace
        return self._move(account, link, "message", now)

    def expired(self, now: datetime) -> list[LinkChange]:
        """The accounts whose deadline passed since the last call, each once."""
        changes: list[LinkChange] = []
        for account, link in self._links.items():
            if link.state is LinkState.ONLINE and now > link.deadline:
                change = self._move(account, link, "lapsed", now)
                if change is not None:
                    changes.append(change)
        return changes

    def _move(self, account: str, link: _Link, event: str, now: datetime) -> LinkChange | None:
        target = _TRANSITIONS.get((link.state, event))
        if target is None:
            return None
        link.state = target
        return LinkChange(
            account=account,
            state=target,
            at=now,
            last_seen=link.last_seen,
            interval_s=link.interval_s,
        )

    def _deadline(self, start: datetime, item: Watched) -> datetime:
        return start + timedelta(seconds=item.interval_s) + self._grace
