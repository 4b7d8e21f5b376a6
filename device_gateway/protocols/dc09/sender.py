"""The panel side of DC-09, sans-I/O: build an event frame, read the receiver's reply.

For installers testing a receiver (``posbon panel send``) and for the demo's simulated panels.
A Contact ID code (three digits, ``120``) goes out as ADM-CID ``#acct|Q EEE GG ZZZ``; a SIA code
(two letters, ``PA``) as SIA-DCS ``#acct|Nri<GG>/<CC><ZZZ>``. With a key the frame is
encrypted (``*ADM-CID``) and carries the mandatory timestamp. The reply reader understands ACK
(and *ACK, whose timestamp it decrypts), NAK (with the receiver's time, so the caller can fix
its clock and resend, as senders in the field do) and DUH.
"""

import re
from datetime import datetime
from typing import Final

import msgspec

from device_gateway.errors import DecryptionError, MalformedFrameError, RemoteProtocolError
from device_gateway.protocols.dc09.crypto import RandomBytes, decrypt_content, encrypt_content
from device_gateway.protocols.dc09.frames import Header, StreamFramer, encode_frame, parse_frame
from device_gateway.protocols.dc09.messages import ADM_CID, SIA_DCS
from device_gateway.protocols.dc09.payloads import format_timestamp, parse_envelope

_CID = re.compile(r"[0-9A-Fa-f]{3}")
_SIA = re.compile(r"[A-Z]{2}")
QUALIFIERS: Final = frozenset({"1", "3", "6"})
MAX_ZONE: Final = 999
MAX_PARTITION: Final = 99
ACK_TOKEN: Final = "ACK"  # noqa: S105  (DC-09 ID tokens, not secrets)
NAK_TOKEN: Final = "NAK"  # noqa: S105


class PanelEvent(msgspec.Struct, frozen=True, kw_only=True):
    account: str
    code: str
    zone: int = 0
    partition: int = 1
    qualifier: str = "1"
    """Contact ID 1 new, 3 restore, 6 status; SIA restores are their own codes (``AR``)."""

    def __post_init__(self) -> None:
        if not (_CID.fullmatch(self.code) or _SIA.fullmatch(self.code)):
            raise ValueError("code must be a Contact ID event (120) or a SIA code (PA)")
        if self.qualifier not in QUALIFIERS:
            raise ValueError("qualifier must be 1, 3 or 6")
        if not 0 <= self.zone <= MAX_ZONE or not 0 <= self.partition <= MAX_PARTITION:
            raise ValueError("zone must be 0-999 and partition 0-99")

    @property
    def token(self) -> str:
        return ADM_CID if _CID.fullmatch(self.code) else SIA_DCS

    def data(self) -> str:
        if self.token == ADM_CID:
            body = f"{self.qualifier}{self.code} {self.partition:02d} {self.zone:03d}"
        else:
            body = f"Nri{self.partition}/{self.code}{self.zone:03d}"
        return f"#{self.account}|{body}"


class SenderReply(msgspec.Struct, frozen=True, kw_only=True):
    token: str
    """``ACK``, ``NAK``, ``DUH`` (a leading ``*`` is dropped; ``encrypted`` says it was there)."""
    seq: str
    encrypted: bool = False
    receiver_time: datetime | None = None

    @property
    def acked(self) -> bool:
        return self.token == ACK_TOKEN

    @property
    def clock_nak(self) -> bool:
        """A NAK with the receiver's time: fix the clock and send again."""
        return self.token == NAK_TOKEN and self.receiver_time is not None


def encode_event(
    event: PanelEvent,
    *,
    seq: int,
    now: datetime,
    key: bytes | None = None,
    random_bytes: RandomBytes | None = None,
    line: str | None = "0",
    receiver: str | None = None,
) -> bytes:
    """The frame for ``event`` with sequence number ``seq`` (1-9999)."""
    header = Header(
        token=event.token,
        seq=f"{seq:04d}",
        encrypted=key is not None,
        receiver=receiver,
        line=line,
        account=event.account,
    )
    timestamp = format_timestamp(now)
    if key is None:
        return encode_frame(header, f"[{event.data()}]{timestamp}".encode())
    if random_bytes is None:
        raise ValueError("an encrypted frame needs random_bytes for its pad")
    body = f"{event.data()}]{timestamp}".encode()
    return encode_frame(header, encrypt_content(key, body, random_bytes))


class ReplyReader:
    """Feed what the receiver sent; take the replies it holds."""

    def __init__(self, key: bytes | None = None) -> None:
        self._framer = StreamFramer()
        self._key = key

    def feed(self, data: bytes) -> list[SenderReply | RemoteProtocolError]:
        replies: list[SenderReply | RemoteProtocolError] = []
        for item in self._framer.feed(data):
            if isinstance(item, RemoteProtocolError):
                replies.append(item)
                continue
            try:
                replies.append(self._read(item))
            except RemoteProtocolError as err:
                replies.append(err)
        return replies

    def _read(self, body: bytes) -> SenderReply:
        frame = parse_frame(body)
        header = frame.header
        content = frame.content
        if header.encrypted:
            if self._key is None:
                raise DecryptionError("an encrypted reply, but we hold no key")
            content = decrypt_content(self._key, content)
        try:
            envelope = parse_envelope(content.decode("ascii"))
        except UnicodeDecodeError as err:
            raise MalformedFrameError("reply content is not ASCII") from err
        return SenderReply(
            token=header.token,
            seq=header.seq,
            encrypted=header.encrypted,
            receiver_time=envelope.timestamp,
        )


_ZONES = re.compile(r"(\d{1,3})(?:-(\d{1,3}))?")


def walk_test_events(account: str, spec: str, *, partition: int = 1) -> list[PanelEvent]:
    """The events of an installer's zone walk test, from ``zones=1-10 code=130`` (zones as a
    range or a comma list, ``1,3,5-8``; ``code`` defaults to 130, a burglary; ``qualifier`` to
    1): one event per zone, in order, for the receiver's test report to list."""
    fields: dict[str, str] = {}
    for word in spec.split():
        name, equals, value = word.partition("=")
        if not equals or name not in {"zones", "code", "qualifier"}:
            raise ValueError(f"{word!r}: expected zones=1-10, code=130 or qualifier=1")
        fields[name] = value
    if "zones" not in fields:
        raise ValueError("the test sequence needs zones=… (e.g. zones=1-10)")
    zones: list[int] = []
    for part in fields["zones"].split(","):
        found = _ZONES.fullmatch(part)
        if found is None:
            raise ValueError(f"zones: {part!r} is not a zone (5) or a range (1-10)")
        first = int(found.group(1))
        last = int(found.group(2) or first)
        if last < first:
            raise ValueError(f"zones: {part!r} runs backwards")
        zones.extend(range(first, last + 1))
    code, qualifier = fields.get("code", "130"), fields.get("qualifier", "1")
    return [
        PanelEvent(account=account, code=code, zone=zone, partition=partition, qualifier=qualifier)
        for zone in zones
    ]
