"""From a checked frame to signals: decrypt, check the time window, read the data.

Encrypted and plaintext frames meet in the same place: after decryption the content is the same
``[data][x-data]_timestamp`` text a plaintext frame carries, and one reader handles both.
"""

from datetime import datetime, timedelta
from typing import Final

import msgspec

from device_gateway.errors import MalformedFrameError, TimestampError
from device_gateway.protocols.dc09.codes import (
    CID_QUALIFIERS,
    UNKNOWN_CODE,
    CodeInfo,
    cid_code_info,
    priority_for,
    sia_code_info,
    user_numbered,
)
from device_gateway.protocols.dc09.crypto import decrypt_content
from device_gateway.protocols.dc09.frames import Frame, Header
from device_gateway.protocols.dc09.payloads import (
    Envelope,
    SiaEvent,
    decode_text,
    parse_cid,
    parse_envelope,
    parse_sia,
    split_account,
)
from device_gateway.signals import CodeFamily, Dc09Origin, Qualifier, Signal, SignalKind

SIA_DCS: Final = "SIA-DCS"
ADM_CID: Final = "ADM-CID"
LINK_TEST_TOKENS: Final = frozenset({"NULL", "XNM"})
SUPPORTED_TOKENS: Final = frozenset({SIA_DCS, ADM_CID, *LINK_TEST_TOKENS})


def open_plain(frame: Frame) -> tuple[Envelope, str]:
    content = decode_text(frame.content)
    return parse_envelope(content), content


def open_encrypted(frame: Frame, key: bytes) -> tuple[Envelope, str]:
    content = decode_text(decrypt_content(key, frame.content))
    return parse_envelope(content), content


def check_window(
    panel_time: datetime | None, now: datetime, *, ahead_s: float, behind_s: float
) -> None:
    """Encrypted messages must carry a timestamp within ``[now - behind_s, now + ahead_s]``."""
    if panel_time is None:
        raise TimestampError("encrypted message without a timestamp")
    offset = panel_time - now
    if not timedelta(seconds=-behind_s) <= offset <= timedelta(seconds=ahead_s):
        raise TimestampError(f"panel time {panel_time.isoformat()} is {offset} from ours")


def message_account(header: Header, envelope: Envelope) -> str:
    """The header's account, else the one inside the data (``[#acct|…]``)."""
    account = header.account or split_account(envelope.data)[0]
    if account is None:
        raise MalformedFrameError("no account in the header or the data")
    return account


def build_signals(
    frame: Frame, envelope: Envelope, *, account: str, content: str, received_at: datetime
) -> tuple[Signal, ...]:
    """One signal per event in the frame; a link test or unreadable data gives one signal."""
    header = frame.header
    origin = Dc09Origin(
        receiver=header.receiver,
        line=header.line,
        seq=header.seq,
        token=header.token,
        encrypted=header.encrypted,
    )
    link_test = Signal(
        account=account,
        origin=origin,
        code_family=CodeFamily.NULL,
        code=header.token,
        qualifier=Qualifier.NEW,
        kind=SignalKind.TEST,
        priority=priority_for(SignalKind.TEST, Qualifier.NEW),
        description="link test",
        received_at=received_at,
        raw=decode_text(frame.raw),
        content=content,
        panel_time=envelope.timestamp,
        xdata=envelope.xdata,
    )
    body = split_account(envelope.data)[1]
    if body and header.token == ADM_CID:
        return (_cid_signal(link_test, body),)
    if body and header.token == SIA_DCS:
        return _sia_signals(link_test, body)
    return (link_test,)  # NULL, XNM, or an event token with empty data: proof of life only


def _coded(template: Signal, family: CodeFamily, code: str, info: CodeInfo) -> Signal:
    return msgspec.structs.replace(
        template,
        code_family=family,
        code=code,
        qualifier=info.qualifier,
        kind=info.kind,
        priority=priority_for(info.kind, info.qualifier),
        description=info.description,
    )


def _cid_signal(template: Signal, body: str) -> Signal:
    event = parse_cid(body)
    if event is None:
        return _coded(template, CodeFamily.CONTACT_ID, "", UNKNOWN_CODE)
    qualifier = CID_QUALIFIERS.get(event.qualifier)
    info = cid_code_info(event.code)
    if qualifier is None:
        info = UNKNOWN_CODE._replace(description=f"unknown qualifier {event.qualifier}")
    else:
        info = info._replace(qualifier=qualifier)
    signal = _coded(template, CodeFamily.CONTACT_ID, event.code, info)
    numbered = {"user" if user_numbered(info.kind) else "zone": event.zone}
    return msgspec.structs.replace(signal, partition=event.partition, **numbered)


def _sia_signals(template: Signal, body: str) -> tuple[Signal, ...]:
    events, text = parse_sia(body)
    if not events:
        return (
            msgspec.structs.replace(_coded(template, CodeFamily.SIA, "", UNKNOWN_CODE), text=text),
        )
    return tuple(_sia_signal(template, event, index, text) for index, event in enumerate(events))


def _sia_signal(template: Signal, event: SiaEvent, index: int, text: str | None) -> Signal:
    info = sia_code_info(event.code)
    by_user = user_numbered(info.kind)
    return msgspec.structs.replace(
        _coded(template, CodeFamily.SIA, event.code, info),
        event_index=index,
        partition=event.modifiers.get("ri"),
        user=event.modifiers.get("id") or (event.address if by_user else None),
        zone=None if by_user else event.address,
        text=event.text or text,
    )
