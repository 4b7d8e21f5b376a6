"""A notice's schema, its states and the one table of moves between them.

    pending ──send ok──▶ submitted ──receipt DELIVRD──▶ delivered
       │  ▲                  │
       │  └─channel down─┘   └──receipt UNDELIV/EXPIRED/REJECTD…──▶ failed
       └──────rejected (bad number, chat not found)────────────────▶ failed

A channel that answers "delivered" at once (Telegram's sendMessage) moves pending → delivered
in one step. A notice whose channel is down stays `pending` with its next attempt later: it is
never dropped, and lists of pending notices show it.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Final

import msgspec

from server.text import MAX_ID


class Channel(enum.StrEnum):
    SMS = "sms"
    TELEGRAM = "telegram"


class NoticeState(enum.StrEnum):
    PENDING = "pending"
    SUBMITTED = "submitted"
    DELIVERED = "delivered"
    FAILED = "failed"


MOVES: Final[dict[NoticeState, frozenset[NoticeState]]] = {
    NoticeState.PENDING: frozenset(
        {NoticeState.SUBMITTED, NoticeState.DELIVERED, NoticeState.FAILED}
    ),
    NoticeState.SUBMITTED: frozenset({NoticeState.DELIVERED, NoticeState.FAILED}),
    NoticeState.DELIVERED: frozenset(),
    NoticeState.FAILED: frozenset(),
}
"""Where each state may go; `delivered` and `failed` are final."""


class Template(enum.StrEnum):
    ALARM = "alarm"
    CREW_SENT = "crew_sent"
    ALL_CLEAR = "all_clear"


Language = Annotated[str, msgspec.Meta(pattern="^(uz-Latn|uz-Cyrl|ru|en)$")]
Phone = Annotated[str, msgspec.Meta(pattern=r"^\+?[0-9]{3,20}$")]


class NoticeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Notify one recipient about an incident: a contact of its site, or the duty desk."""

    channel: Channel
    contact_id: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)] | None = None
    duty_desk: bool = False
    phone: Phone | None = None
    """Which of the contact's phones (SMS); the first when left out."""
    template: Template = Template.ALARM
    language: Language | None = None
    """Overrides the language picked from the contact's languages."""


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    incident_id: int
    channel: Channel
    contact_id: int | None
    recipient_name: str
    address: str
    template: Template
    language: str
    body: str
    state: NoticeState
    attempts: int
    next_attempt_at: dt.datetime
    provider_id: str | None
    last_error: str
    requested_by: str
    created_at: dt.datetime
    updated_at: dt.datetime


class NoticeChannels(msgspec.Struct, frozen=True, kw_only=True):
    """Which notices this server can send, so the dispatcher page offers only those."""

    sms: bool
    telegram: bool
    duty_desk_sms: bool
    """SMS is on and a duty desk phone is set."""
    duty_desk_telegram: bool


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    """Who a notice goes to, resolved before it is stored."""

    contact_id: int | None
    name: str
    address: str
    language: str
