"""How much a socket's client may make the server do: pure bookkeeping, the clock passed in.

A relay socket is a way in for anyone holding a token, and every message a client sends costs
the server something on the event loop that also commits alarms: a decode at least, a reply for a
heartbeat, a database write for an ack or a status change. Three limits keep one client (a
broken tablet, a stolen token) from turning that into a flood:

* :class:`TokenBucket`: an overall budget per connection, `MESSAGES_PER_S` sustained with a
  burst of `MESSAGE_BURST`. An honest client sends about one message a second (a position a
  second, a heartbeat every 5 s, now and then a status change); the largest burst it sends is
  the crew app's offline queue of positions (500 at most, link.js) flushed on reconnecting. A
  client that empties the bucket is sending 20 times the honest rate, or twice the honest
  burst, and is closed. An ack that acknowledges an event the socket sent for the first time is
  free: a reconnecting tablet acks every replayed event (up to `relay_replay_max`), and those
  acks are bounded by what the server chose to send, not by the client.
* :class:`Spacing`: at most one of a kind per interval. Positions beyond one per
  `relay_position_interval_s` are not stored; heartbeats beyond one per `HEARTBEAT_INTERVAL_S`
  get no pong of their own (both are counted). Those heartbeats share one pong sent when the
  interval is over, since both apps drop a socket that says nothing for 4 s after a
  heartbeat (server/web/static/shared/socket.js), and a page may send two heartbeats close
  together (its timer, the page becoming visible again).
* :class:`Receipts`: acks are coalesced. An ack of N says the client holds every event up to
  N, since the relay sends a stream in order over one ordered socket (and the crew app acks each
  event after handling it, in order). A receipt is stored only for a dispatch event
  (server/incidents/service.py: `record_delivery`), so the connection remembers which of the
  events it sent were dispatches, keeps only the highest seq acked, and writes the receipts of
  the dispatches at or below it at most once per `RECEIPT_INTERVAL_S`, plus once more when the
  socket ends. Keeping only the highest seq and writing its receipt alone would lose the
  receipt of a dispatch acked in the same interval as a later event.
"""

from __future__ import annotations

import collections
import itertools
from typing import Final

MESSAGES_PER_S: Final = 20.0
"""A connection's sustained budget, twenty times what an honest client sends."""
MESSAGE_BURST: Final = 1000
"""A connection's burst budget: twice the crew app's offline queue of positions (500)."""
HEARTBEAT_INTERVAL_S: Final = 0.25
"""Heartbeats closer together than this get no pong (both apps send one every 5 s)."""
RECEIPT_INTERVAL_S: Final = 0.5
"""Receipts are written at most once per this: the acks in between are coalesced."""
MAX_UNACKED_DISPATCHES: Final = 4096
"""Dispatch seqs a connection remembers until they are acked; the oldest are forgotten first
(a tablet that acks nothing, kept open for weeks)."""


class TokenBucket:
    """`rate_per_s` messages a second sustained, up to `burst` at once; starts full."""

    def __init__(self, rate_per_s: float, burst: int, now_s: float) -> None:
        self._rate_per_s = rate_per_s
        self._burst = float(burst)
        self._tokens = float(burst)
        self._updated_s = now_s

    def take(self, now_s: float) -> bool:
        """Spend one message; False (nothing spent) when the budget is used up."""
        elapsed_s = max(0.0, now_s - self._updated_s)
        self._tokens = min(self._burst, self._tokens + elapsed_s * self._rate_per_s)
        self._updated_s = now_s
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True


class Spacing:
    """One thing per `interval_s`: `due` says whether this one is the one."""

    def __init__(self, interval_s: float) -> None:
        self._interval_s = interval_s
        self._next_s = float("-inf")

    def due(self, now_s: float) -> bool:
        if now_s < self._next_s:
            return False
        self._next_s = now_s + self._interval_s
        return True

    def wait_s(self, now_s: float) -> float:
        """How long until the next one is due."""
        return max(0.0, self._next_s - now_s)


class Receipts:
    """What one connection sent, what its client acked, and which receipts that makes owed.

    `sent` for every event in the order sent, `acked` for every ack; `owed` lists the dispatch
    seqs acked and not yet written, `written` strikes one off once its receipt is stored.
    Nothing is struck off before the write succeeds, so a write cut short (the socket ending
    mid-write) leaves its receipt owed for the final write.
    """

    def __init__(self, interval_s: float = RECEIPT_INTERVAL_S) -> None:
        self._interval_s = interval_s
        self._next_write_s = float("-inf")
        self._sent_seq = 0
        self._acked_seq = 0
        self._dispatches: collections.deque[int] = collections.deque(maxlen=MAX_UNACKED_DISPATCHES)

    def start_after(self, seq: int) -> None:
        """The connection sends events after `seq`: acks at or below it acknowledge nothing."""
        self._sent_seq = max(self._sent_seq, seq)
        self._acked_seq = max(self._acked_seq, seq)

    def sent(self, seq: int, *, is_dispatch: bool) -> None:
        self._sent_seq = max(self._sent_seq, seq)
        if is_dispatch:
            self._dispatches.append(seq)

    def advances(self, seq: int) -> bool:
        """Whether an ack of `seq` acknowledges an event sent and not acked before."""
        return min(seq, self._sent_seq) > self._acked_seq

    def acked(self, seq: int) -> None:
        """An ack of `seq`; a seq beyond what was sent acknowledges only what was sent."""
        self._acked_seq = max(self._acked_seq, min(seq, self._sent_seq))

    def owed(self) -> list[int]:
        """The dispatch seqs acked whose receipts are not written yet, oldest first (events
        are sent in seq order, so they lead the remembered ones)."""
        return list(itertools.takewhile(lambda seq: seq <= self._acked_seq, self._dispatches))

    def due(self, now_s: float) -> bool:
        """Whether a write may start now (the last one started an interval ago or more)."""
        return now_s >= self._next_write_s

    def wait_s(self, now_s: float) -> float:
        """How long until a write may start."""
        return max(0.0, self._next_write_s - now_s)

    def writing(self, now_s: float) -> None:
        """A write starts now: the next waits an interval."""
        self._next_write_s = now_s + self._interval_s

    def written(self, seq: int) -> None:
        if seq in self._dispatches:  # not when forgotten as the oldest while it was written
            self._dispatches.remove(seq)
