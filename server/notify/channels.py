"""What every notice channel is: `send(text, address)` returns the provider's id for the
message; delivery receipts come later through the `Receipts` callback the channel was given.

    ChannelError
    ├── ChannelDown       the gateway cannot be reached or is busy: try again later
    └── Rejected          the gateway refused this message (a bad number, an unknown chat):
                          trying again will not help

One module per channel implements it: server/notify/smpp.py (aiosmpplib) and
server/notify/telegram.py (the Bot API over httpx).
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import Protocol

import msgspec


class ChannelError(Exception):
    pass


class ChannelDown(ChannelError):
    """Ours or the network's: the notice stays pending and is tried again."""


class Rejected(ChannelError):
    """The provider refused this very message: the notice fails."""


class Outcome(enum.StrEnum):
    SUBMITTED = "submitted"
    """Accepted by the gateway; a delivery receipt will say more."""
    DELIVERED = "delivered"
    """The provider says the recipient has it (Telegram's sendMessage answered ok)."""


class Sent(msgspec.Struct, frozen=True, kw_only=True):
    provider_id: str
    outcome: Outcome


class Receipt(msgspec.Struct, frozen=True, kw_only=True):
    """A delivery receipt: the provider's id of the message and whether it arrived."""

    provider_id: str
    delivered: bool
    status: str
    """The provider's word for it (SMPP: DELIVRD, UNDELIV, EXPIRED, REJECTD …)."""


Receipts = Callable[[Receipt], Awaitable[None]]


class NoticeChannel(Protocol):
    async def send(self, text: str, address: str) -> Sent:
        """Hand the message to the provider; raises ChannelDown or Rejected."""
        ...

    async def close(self) -> None: ...
