"""Replays of encrypted DC-09 frames: answered, never raised twice.

An encrypted DC-09 frame hides its data and timestamp inside the AES block, but the sequence
number and the CRC sit outside it. Someone who captured one panic can rewrite the sequence
number, fix the CRC and send the same block again within the receiver's timestamp window
(+20/-40 s): to the dedup key (account, line, receiver, token, *seq*, data) that is a new frame,
and before this guard each copy became a new P1 incident.

:class:`ReplayGuard` remembers, for every encrypted frame it passes, a fingerprint that the
attacker cannot change without the key: the account, line and receiver, the token, the
decrypted data and the panel's own timestamp. A later frame with the same fingerprint gets the
dedup key of the first one, so the ingest pipeline treats it as a retransmission of it: ACKed
(the sender learns nothing, and a genuine panel that resent with another sequence number is not
confused) once the first is stored, and never stored or raised again.

Two genuine events differ in their data or their timestamp (a panel stamps each to the
second), so only a copy of the same event matches. Fingerprints are kept for the timestamp
window, after which the receiver refuses the frame anyway; the memory is bounded. Pure: no I/O,
the clock is injected.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Final

import msgspec

from device_gateway.signals import DedupKey, Received

DEFAULT_MAX_FINGERPRINTS: Final = 200_000
DEFAULT_REPLAY_WINDOW_S: Final = 60.0
"""DC-09's timestamp window, +20 s / -40 s: an encrypted frame older than that is refused."""
Fingerprint = tuple[str, str | None, str | None, str, str, datetime]


class ReplayGuard:
    def __init__(
        self,
        window_s: float,
        *,
        max_fingerprints: int = DEFAULT_MAX_FINGERPRINTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._window_s = window_s
        self._max = max_fingerprints
        self._clock = clock
        self._seen: OrderedDict[Fingerprint, tuple[DedupKey, float]] = OrderedDict()

    def check(self, event: Received) -> tuple[Received, bool]:
        """The event to submit, and whether it replays an earlier frame (its dedup key is then
        the earlier frame's). Frames that are not encrypted pass unchanged."""
        fingerprint = _fingerprint(event)
        if fingerprint is None:
            return event, False
        now_s = self._clock()
        self._forget_before(now_s - self._window_s)
        seen = self._seen.get(fingerprint)
        if seen is not None:
            first_key = seen[0]
            if first_key == event.dedup_key:  # a plain retransmission: the pipeline knows it
                return event, False
            return msgspec.structs.replace(event, dedup_key=first_key), True
        self._seen[fingerprint] = (event.dedup_key, now_s)
        if len(self._seen) > self._max:
            self._seen.popitem(last=False)
        return event, False

    def _forget_before(self, horizon_s: float) -> None:
        while self._seen:
            oldest = next(iter(self._seen.values()))
            if oldest[1] >= horizon_s:
                return
            self._seen.popitem(last=False)


def _fingerprint(event: Received) -> Fingerprint | None:
    """Only encrypted DC-09 frames have one: any other message passes unchanged."""
    if not event.signals:
        return None
    first = event.signals[0]
    origin, stamp = first.origin, first.panel_time
    if origin is None or not origin.encrypted or stamp is None:
        return None
    key = event.dedup_key
    return (key.account, origin.line, origin.receiver, origin.token, key.data_sha256, stamp)
