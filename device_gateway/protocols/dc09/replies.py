"""Receiver replies: ACK, *ACK, NAK and DUH, built exactly as reference §1.5 writes them.

ACK and DUH echo the sequence number, R and L exactly as received (R only if it was present,
so never a literal ``None``); a reply goes out in the CRC form the frame came in. NAK has a fixed
header and carries *our* time so that a panel with a wrong clock can correct it and resend.
"""

from datetime import datetime
from typing import Final

import msgspec

from device_gateway.protocols.dc09.crypto import RandomBytes, encrypt_content
from device_gateway.protocols.dc09.frames import CrcForm, Header, encode_frame, frame_region
from device_gateway.protocols.dc09.payloads import format_timestamp

NAK_HEADER: Final = b'"NAK"0000R0L0A0'
EMPTY_DATA: Final = b"[]"


def nak(now: datetime, crc_form: CrcForm = CrcForm.HEX) -> bytes:
    """``"NAK"0000R0L0A0[]_HH:MM:SS,MM-DD-YYYY``: never encrypted, no sequence to echo."""
    return frame_region(NAK_HEADER + EMPTY_DATA + format_timestamp(now).encode("ascii"), crc_form)


def echo_header(received: Header, token: str, *, account: str | None, line: str | None) -> Header:
    return Header(
        token=token,
        seq=received.seq,
        receiver=received.receiver,
        line=line,
        account=account,
    )


def duh(received: Header, crc_form: CrcForm = CrcForm.HEX) -> bytes:
    """``"DUH"seq[R…]L…#acct[]``: we cannot process this token. Never encrypted."""
    header = echo_header(received, "DUH", account=received.account, line=received.line)
    return encode_frame(header, EMPTY_DATA, crc_form)


def ack(received: Header, *, account: str, line: str | None, crc_form: CrcForm) -> bytes:
    """``"ACK"seq[R…]L…#acct[]``."""
    header = echo_header(received, "ACK", account=account, line=line)
    return encode_frame(header, EMPTY_DATA, crc_form)


def encrypted_ack(
    received: Header,
    *,
    account: str,
    line: str | None,
    crc_form: CrcForm,
    key: bytes,
    now: datetime,
    random_bytes: RandomBytes,
) -> bytes:
    """``"*ACK"seq[R…]L…#acct[HEX(pad|]_ts)``: the reply to an encrypted message."""
    header = echo_header(received, "ACK", account=account, line=line)
    body = b"]" + format_timestamp(now).encode("ascii")
    content = encrypt_content(key, body, random_bytes)
    return encode_frame(msgspec.structs.replace(header, encrypted=True), content, crc_form)
