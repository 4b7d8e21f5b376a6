"""DC-09 payloads: the block envelope, ADM-CID and SIA-DCS data, x-data and timestamps.

After the header comes ``[data]``, zero or more x-data blocks ``[Xvalue]`` and an optional
timestamp ``_HH:MM:SS,MM-DD-YYYY`` (UTC). The envelope is strict (a broken one gets a NAK); the
data inside is read leniently: data that does not parse becomes an "unknown" signal, never a
rejection, so an alarm is never lost to a parser's opinion.

SIA-DCS data is read with a small scanner, not a fixed pattern, because real panels write
``Nri1/PA501``, ``Nri1BA503^text^`` (no ``/``), ``Nti19:44/id1/RP`` and ``0|NRP``.
"""

import re
from datetime import UTC, datetime

import msgspec

from device_gateway.errors import MalformedFrameError

_TIMESTAMP = re.compile(r"(\d{2}):(\d{2}):(\d{2}),(\d{2})-(\d{2})-(\d{4})")
_CID = re.compile(r"\s*([0-9A-Fa-f])(\d{3})\s*([0-9A-Fa-f]{2})\s*([0-9A-Fa-f]{3})\s*")
_SIA_TOKEN = re.compile(
    r"(?P<modifier>[a-z]{2})(?P<value>[0-9:.]*)"
    r"|(?P<code>[A-Z]{2})(?P<address>[0-9]*)"
    r"|\^(?P<text>[^^]*)\^?"
    r"|/"
)
_EVENT_BLOCK_MARKERS = frozenset("NO")
_TEXT_BLOCK_MARKER = "A"
_ACCOUNT_MARKER = "#"


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    data: str
    xdata: dict[str, str]
    timestamp: datetime | None
    untimed: str
    """The content without its timestamp: what a retransmission repeats unchanged."""


class CidEvent(msgspec.Struct, frozen=True, kw_only=True):
    qualifier: str
    code: str
    partition: str
    zone: str


class SiaEvent(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    address: str | None = None
    modifiers: dict[str, str] = msgspec.field(default_factory=dict)
    text: str | None = None


def decode_text(raw: bytes) -> str:
    """UTF-8 if it is valid UTF-8, otherwise CP1252 (what Western panels use); never fails."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def parse_time(text: str) -> datetime:
    """``HH:MM:SS,MM-DD-YYYY`` (UTC) to an aware datetime."""
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        raise MalformedFrameError(f"bad timestamp {text!r}")
    hour, minute, second, month, day, year = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError as err:
        raise MalformedFrameError(f"impossible timestamp {text!r}") from err


def format_timestamp(moment: datetime) -> str:
    """The DC-09 timestamp field ``_HH:MM:SS,MM-DD-YYYY`` for an aware datetime, in UTC."""
    return moment.astimezone(UTC).strftime("_%H:%M:%S,%m-%d-%Y")


def parse_envelope(content: str) -> Envelope:
    """Split ``[data][X…]…_timestamp`` into its parts."""
    if not content.startswith("["):
        raise MalformedFrameError("content does not start with '['")
    position = 0
    blocks: list[str] = []
    while content.startswith("[", position):
        end = content.find("]", position)
        if end < 0:
            raise MalformedFrameError("unterminated block")
        blocks.append(content[position + 1 : end])
        position = end + 1
    rest = content[position:]
    if rest and not rest.startswith("_"):
        raise MalformedFrameError(f"unexpected text after the blocks: {rest[:20]!r}")
    return Envelope(
        data=blocks[0],
        xdata={block[0]: block[1:] for block in blocks[1:] if block},
        timestamp=parse_time(rest[1:]) if rest else None,
        untimed=content[:position],
    )


def split_account(data: str) -> tuple[str | None, str]:
    """``#acct|rest`` to (acct, rest); ``|rest`` and plain ``rest`` carry no account."""
    if data.startswith(_ACCOUNT_MARKER):
        account, _, rest = data[1:].partition("|")
        return account or None, rest
    return None, data.removeprefix("|")


def parse_cid(body: str) -> CidEvent | None:
    """``QEEE GG ZZZ`` (qualifier, event, group, zone or user), or None if it is not that."""
    match = _CID.fullmatch(body)
    if match is None:
        return None
    qualifier, code, partition, zone = match.groups()
    return CidEvent(qualifier=qualifier, code=code, partition=partition, zone=zone)


def parse_sia(body: str) -> tuple[list[SiaEvent], str | None]:
    """The events of SIA-DCS data and its ``A`` text block; ([], None) if nothing parses."""
    events: list[SiaEvent] = []
    texts: list[str] = []
    for block in body.split("|"):
        marker = block[:1]
        if marker in _EVENT_BLOCK_MARKERS:
            events.extend(scan_sia_events(block[1:]))
        elif marker == _TEXT_BLOCK_MARKER:
            texts.append(block[1:])
    return events, " ".join(texts) or None


def scan_sia_events(block: str) -> list[SiaEvent]:
    """Scan ``ri1/PA501^text^/id1/CL`` into events; modifiers carry over to later events."""
    events: list[SiaEvent] = []
    modifiers: dict[str, str] = {}
    position = 0
    while position < len(block):
        match = _SIA_TOKEN.match(block, position)
        if match is None:
            return []
        position = match.end()
        if match["modifier"]:
            modifiers[match["modifier"]] = match["value"]
        elif match["code"]:
            events.append(
                SiaEvent(
                    code=match["code"], address=match["address"] or None, modifiers=dict(modifiers)
                )
            )
        elif match["text"] is not None and events:
            events[-1] = msgspec.structs.replace(events[-1], text=match["text"])
    return events
