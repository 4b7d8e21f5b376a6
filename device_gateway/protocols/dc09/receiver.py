"""The sans-I/O DC-09 receiver: bytes in, events out, and the reply bytes for each event.

Theory of operation (reference §1.11). The transport feeds bytes with the current UTC time
(``receive_data`` for a TCP stream, ``receive_datagram`` for one UDP datagram) and then drains
``events_received()``. Each delimited frame yields exactly one event:

* :class:`~device_gateway.signals.Received` — the frame is good. It carries the normalized
  signals, the ACK (or *ACK) bytes as its ``reply`` and a de-duplication key. The caller
  **commits the signals first and sends the ACK afterwards**; for a retransmission (same key
  within 10 minutes) it sends the ACK again and raises nothing new.
* :class:`~device_gateway.signals.Refused` — the frame is refused; ``reply`` (NAK, DUH or None
  for silence) is to be sent at once, ``reason`` feeds the counters. A stream that turns out to
  be garbage is refused once with ``hang_up`` set.

The order of checks: CRC and length on the raw bytes; header; ID token (unsupported → DUH);
account and key; decryption and the +20/-40 s window (encrypted only, failures → NAK); plaintext
from an account that must encrypt → NAK; then the data. Data that does not parse is *not*
rejected: it becomes an "unknown" signal and is ACKed, so no alarm is ever lost or wedged.
"""

import enum
import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final

import msgspec

from device_gateway.errors import (
    CrcMismatchError,
    FrameTooLongError,
    LocalProtocolError,
    MissingKeyError,
    PlaintextRejectedError,
    RemoteProtocolError,
    UnknownAccountError,
    UnsupportedTokenError,
)
from device_gateway.protocols.dc09 import messages, replies
from device_gateway.protocols.dc09.crypto import RandomBytes, check_key
from device_gateway.protocols.dc09.frames import (
    MAX_FRAME_BYTES,
    Frame,
    StreamFramer,
    detect_crc_form,
    parse_frame,
    split_datagram,
)
from device_gateway.protocols.dc09.payloads import Envelope
from device_gateway.signals import DedupKey, Received, Refused

DEFAULT_MAX_AHEAD_S: Final = 20.0
DEFAULT_MAX_BEHIND_S: Final = 40.0


class UnknownAccountAction(enum.StrEnum):
    ACCEPT = "accept"
    NAK = "nak"
    IGNORE = "ignore"


class AccountPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """What we know of one account: its AES key and how strict to be with it."""

    key: bytes | None = None
    require_encryption: bool = False
    check_timestamp: bool = True
    clock_offset_s: float = 0.0
    """Panel clock minus UTC, for panels that run local time."""

    def __post_init__(self) -> None:
        if self.key is not None:
            check_key(self.key)


AccountLookup = Callable[[str, str | None, str | None], AccountPolicy | None]
"""``lookup(account, receiver, line)``: the account's policy, or None if it is not registered.

For an encrypted frame without a header account, ``account`` is ``""`` (a port-wide key)."""


class ReceiverConfig(msgspec.Struct, frozen=True, kw_only=True):
    check_length: bool = True
    nak_on_bad_crc: bool = True
    unknown_account: UnknownAccountAction = UnknownAccountAction.ACCEPT
    missing_line_reply: str | None = None
    """``L`` value to answer with when a frame had none (None: leave ``L`` out, as received)."""
    max_ahead_s: float = DEFAULT_MAX_AHEAD_S
    max_behind_s: float = DEFAULT_MAX_BEHIND_S
    max_frame_bytes: int = MAX_FRAME_BYTES


ReceiverEvent = Received | Refused


class Dc09Receiver:
    """One per TCP connection (or one shared for UDP datagrams)."""

    def __init__(
        self,
        lookup: AccountLookup,
        *,
        random_bytes: RandomBytes,
        config: ReceiverConfig | None = None,
    ) -> None:
        self._lookup = lookup
        self._random_bytes = random_bytes
        self._config = config or ReceiverConfig()
        self._framer = StreamFramer(self._config.max_frame_bytes)
        self._events: list[ReceiverEvent] = []

    def receive_data(self, data: bytes, now: datetime) -> None:
        """Feed bytes read from a stream; ``now`` is the current time, timezone-aware."""
        _check_aware(now)
        for item in self._framer.feed(data):
            self._events.append(self._handle(item, now))

    def receive_datagram(self, datagram: bytes, now: datetime) -> None:
        """Feed one UDP datagram: it holds one frame, LF and CR tolerated missing."""
        _check_aware(now)
        for item in split_datagram(datagram):
            self._events.append(self._handle(item, now))

    def events_received(self) -> list[ReceiverEvent]:
        events, self._events = self._events, []
        return events

    def _handle(self, item: bytes | FrameTooLongError, now: datetime) -> ReceiverEvent:
        if isinstance(item, FrameTooLongError):
            return Refused(reason=item.reason, detail=str(item), hang_up=True)
        try:
            return self._accept(item, now)
        except RemoteProtocolError as err:
            silent = isinstance(err, CrcMismatchError) and not self._config.nak_on_bad_crc
            reply = None if silent else replies.nak(now, detect_crc_form(item))
            return Refused(reason=err.reason, detail=str(err), reply=reply, raw=item)

    def _accept(self, body: bytes, now: datetime) -> ReceiverEvent:
        frame = parse_frame(body, check_length=self._config.check_length)
        header = frame.header
        if header.token not in messages.SUPPORTED_TOKENS:
            err = UnsupportedTokenError(f"unsupported token {header.token!r}")
            reply = replies.duh(header, frame.crc_form)
            return Refused(reason=err.reason, detail=str(err), reply=reply, raw=body)
        if header.encrypted:
            return self._accept_encrypted(frame, now)
        return self._accept_plain(frame, now)

    def _accept_plain(self, frame: Frame, now: datetime) -> ReceiverEvent:
        envelope, content = messages.open_plain(frame)
        account = messages.message_account(frame.header, envelope)
        policy = self._lookup(account, frame.header.receiver, frame.header.line)
        if policy is None and self._config.unknown_account is not UnknownAccountAction.ACCEPT:
            err = UnknownAccountError(f"account {account!r} is not registered")
            nak = self._config.unknown_account is UnknownAccountAction.NAK
            reply = replies.nak(now, frame.crc_form) if nak else None
            return Refused(
                reason=err.reason, detail=str(err), reply=reply, raw=frame.raw, account=account
            )
        if policy is not None and policy.require_encryption:  # NAK, and name the account: the
            refused = PlaintextRejectedError(f"account {account!r} must encrypt")  # server alerts
            return Refused(
                reason=refused.reason,
                detail=str(refused),
                reply=replies.nak(now, frame.crc_form),
                raw=frame.raw,
                account=account,
            )
        return self._accepted(frame, envelope, content, account, policy=policy, now=now)

    def _accept_encrypted(self, frame: Frame, now: datetime) -> ReceiverEvent:
        header = frame.header
        policy = self._lookup(header.account or "", header.receiver, header.line)
        if policy is None or policy.key is None:
            raise MissingKeyError(f"no key for account {header.account!r}")
        envelope, content = messages.open_encrypted(frame, policy.key)
        offset = timedelta(seconds=policy.clock_offset_s)
        if envelope.timestamp is not None:
            envelope = msgspec.structs.replace(envelope, timestamp=envelope.timestamp - offset)
        if policy.check_timestamp:
            messages.check_window(
                envelope.timestamp,
                now,
                ahead_s=self._config.max_ahead_s,
                behind_s=self._config.max_behind_s,
            )
        account = messages.message_account(header, envelope)
        return self._accepted(frame, envelope, content, account, policy=policy, now=now)

    def _accepted(
        self,
        frame: Frame,
        envelope: Envelope,
        content: str,
        account: str,
        *,
        policy: AccountPolicy | None,
        now: datetime,
    ) -> Received:
        header = frame.header
        signals = messages.build_signals(
            frame, envelope, account=account, content=content, received_at=now
        )
        line = header.line if header.line is not None else self._config.missing_line_reply
        if header.encrypted and policy is not None and policy.key is not None:
            ack = replies.encrypted_ack(
                header,
                account=account,
                line=line,
                crc_form=frame.crc_form,
                key=policy.key,
                now=now,
                random_bytes=self._random_bytes,
            )
        else:
            ack = replies.ack(header, account=account, line=line, crc_form=frame.crc_form)
        return Received(
            signals=signals,
            reply=ack,
            dedup_key=dedup_key(frame, envelope, account),
            registered=policy is not None,
        )


def dedup_key(frame: Frame, envelope: Envelope, account: str) -> DedupKey:
    """(account, L, R, token, seq, data): the timestamp is left out, a resend may renew it."""
    header = frame.header
    token = ("*" if header.encrypted else "") + header.token
    return DedupKey(
        account=account,
        seq=header.seq,
        data_sha256=hashlib.sha256(envelope.untimed.encode("utf-8")).hexdigest(),
        scope=(header.line, header.receiver, token),
    )


def _check_aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise LocalProtocolError("now must be a timezone-aware datetime")
