"""What a stream listener reports about the connections it ends, so that none ends silently.

A device port under attack refuses connections (one source over its cap) and hangs up on
others (silent, not reading, sending garbage, refused again and again); a real panel caught in
the same net looks alike from outside. Each is logged at most once per state change, which says
that it happens, not how often: the listener tells a :class:`ConnectionObserver` each time, and
the server counts them (``posbon_device_connections_refused_total``,
``posbon_device_hangups_total``). The library does not know the server, hence the Protocol.

Only our decisions are reported: a peer that closes, or a connection reset under us, is the
peer's business; so is a listener closing its connections as it stops. One decision escapes: a
TLS handshake that times out is closed by asyncio before the listener sees the connection.
"""

from __future__ import annotations

import enum
from typing import Final, Protocol


class Refusal(enum.StrEnum):
    """Why a connection was closed as soon as it was accepted."""

    SOURCE_CAP = "source_cap"
    """Its source address already holds the listener's ``connections_per_ip``."""


class HangUp(enum.StrEnum):
    """Why we closed a connection the peer had not closed."""

    FIRST_BYTE_TIMEOUT = "first_byte_timeout"
    """Silent from its start (every device speaks first)."""
    IDLE_TIMEOUT = "idle_timeout"
    """Silent for the idle timeout after having spoken."""
    SEND_TIMEOUT = "send_timeout"
    """The peer did not take our replies in time."""
    GARBAGE = "garbage"
    """The stream spent its garbage budget (or sent an oversize frame): not the protocol."""
    NOT_STORED = "not_stored"
    """A commit failed: no ACK, and the device sends again on a new connection."""
    UNKNOWN_DEVICE = "unknown_device"
    """A device that named itself (a Teltonika IMEI) is not in the device registry: it was
    told so (refused) first."""
    NOT_CHECKED = "not_checked"
    """The device registry could not say whether a device that named itself is known: no
    answer, and the device tries again on a new connection."""
    REFUSED_REQUESTS = "refused_requests"
    """Device HTTP: too many requests in a row answered 4xx."""
    REQUEST_TIMEOUT = "request_timeout"
    """Device HTTP: a request begun but not whole within the request timeout."""
    BAD_REQUEST = "bad_request"
    """Device HTTP: a request that cannot be read (answered 400 or 413 where HTTP allows)."""
    HANDLER_FAILED = "handler_failed"
    """Device HTTP: our handler failed (answered 500; the traceback is logged)."""


class ConnectionObserver(Protocol):
    """One per listener; called on the event loop, so it must not block."""

    def refused(self, reason: Refusal) -> None: ...

    def hung_up(self, reason: HangUp) -> None: ...


class _Unobserved:
    def refused(self, reason: Refusal) -> None:
        pass

    def hung_up(self, reason: HangUp) -> None:
        pass


UNOBSERVED: Final[ConnectionObserver] = _Unobserved()
"""For a listener nobody counts (tests, tools)."""
