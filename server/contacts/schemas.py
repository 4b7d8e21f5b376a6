"""Contacts and call attempts: the request and response bodies.

A contact's hours are ranges per weekday in the deployment's time zone (`time_zone`). A range whose
end is not after its start runs past midnight into the next day (22:00-06:00); equal ends mean the
whole day. No hours at all mean "call any time". The verbal password itself is never stored: only
whether the contact has one, so the dispatcher knows to ask and records whether it was right.
"""

from __future__ import annotations

import enum
from typing import Annotated, Literal

import msgspec

from server.text import NO_NUL, Text40, Text400

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""In `datetime.weekday()` order: Monday is 0."""

ClockTime = Annotated[
    str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM, 24-hour.")
]
Phone = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^\+?[0-9][0-9 ()-]{2,30}$",
        description="Digits, an optional leading +; spaces, dashes and brackets are dropped.",
    ),
]
Language = Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")]
Name = Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=200)]
ChatId = Annotated[str, msgspec.Meta(pattern=r"^-?[0-9]{1,20}$|^@[A-Za-z0-9_]{5,32}$")]
Order = Annotated[int, msgspec.Meta(ge=0, le=10_000)]
Phones = Annotated[list[Phone], msgspec.Meta(min_length=1, max_length=8)]
Languages = Annotated[list[Language], msgspec.Meta(max_length=8)]


class Hours(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One range of hours on the given days (the days the range starts on)."""

    days: Annotated[list[Weekday], msgspec.Meta(min_length=1, max_length=7)]
    start: ClockTime
    end: ClockTime


HoursList = Annotated[list[Hours], msgspec.Meta(max_length=28)]


class ContactIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    role: Text40 = "keyholder"
    phones: Phones
    languages: Languages = msgspec.field(default_factory=list)
    hours: HoursList = msgspec.field(default_factory=list)
    order: Order | None = None
    """Place in the call order; left out, the contact is called last."""
    has_password: bool = False
    telegram_chat_id: ChatId | None = None
    note: Text400 = ""


class ContactPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    role: Text40 | msgspec.UnsetType = msgspec.UNSET
    phones: Phones | msgspec.UnsetType = msgspec.UNSET
    languages: Languages | msgspec.UnsetType = msgspec.UNSET
    hours: HoursList | msgspec.UnsetType = msgspec.UNSET
    order: Order | msgspec.UnsetType = msgspec.UNSET
    has_password: bool | msgspec.UnsetType = msgspec.UNSET
    telegram_chat_id: ChatId | msgspec.UnsetType | None = msgspec.UNSET
    note: Text400 | msgspec.UnsetType = msgspec.UNSET


class Contact(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    site_id: int
    name: str
    role: str
    phones: list[str]
    languages: list[str]
    hours: list[Hours]
    order: int
    has_password: bool
    telegram_chat_id: str | None
    note: str


class CallResult(enum.StrEnum):
    """What came of a call; the password results say whether the verbal password was right."""

    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"
    PASSWORD_GIVEN = "password_given"  # noqa: S105  (a call result, not a secret)
    WRONG_PASSWORD = "wrong_password"  # noqa: S105


class CallIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    contact_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    phone: Phone
    result: CallResult
    note: Text400 = ""


class Call(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    incident_id: int
    contact_id: int
    contact_name: str
    phone: str
    result: CallResult
    note: str
    actor: str
    at: str
    """ISO 8601, UTC."""


Reason = Literal["any_time", "in_hours", "outside_hours"]


class Availability(msgspec.Struct, frozen=True, kw_only=True):
    available_now: bool
    reason: Reason
    """`any_time`: the contact has no hours; `in_hours`: now is inside `hours`;
    `outside_hours`: `hours` is the next range that opens (None: the contact has no range)."""
    hours: Hours | None = None
    """One day's range: the one now is in, or the next one to open."""


class ContactToCall(msgspec.Struct, frozen=True, kw_only=True):
    contact: Contact
    available_now: bool
    reason: Reason
    hours: Hours | None
    calls: list[Call]


class WhoToCall(msgspec.Struct, frozen=True, kw_only=True):
    incident_id: int
    site_id: int | None
    contacts: list[ContactToCall]
    """Available now first, each group in call order."""
    results: list[CallResult]
    """Every call result, in the order the page offers them (the one vocabulary)."""
