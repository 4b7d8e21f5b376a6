"""The garbage budget of a stream framer, shared by every stream protocol (DC-09, GT06).

A framer skips noise between frames, as it must: line noise and NUL padding are real. But a
stream that sends nothing else (a port scanner, an attacker, another protocol on the wrong port)
would otherwise cost a read, a scan and perhaps a rejection forever. So the framer charges what
it throws away against a budget, each good frame refills it, and a stream that spends it is
given up on: one :class:`~device_gateway.errors.FrameTooLongError`, then nothing more is read,
and the transport hangs up. What counts as garbage, and what it costs, is each framer's to say;
:class:`BudgetedFramer` is what they share around it.
"""

from device_gateway.errors import FrameTooLongError


class GarbageBudget:
    def __init__(self, limit_bytes: int | None) -> None:
        """``limit_bytes`` None: never give up (a datagram, which ends by itself)."""
        self._limit_bytes = limit_bytes
        self._spent_bytes = 0
        self._exhausted = False

    @property
    def exhausted(self) -> bool:
        """True once the stream was given up on: its framer reads nothing more."""
        return self._exhausted

    @property
    def overspent(self) -> bool:
        return self._limit_bytes is not None and self._spent_bytes > self._limit_bytes

    def charge(self, cost_bytes: int) -> None:
        self._spent_bytes += cost_bytes

    def refill(self) -> None:
        """A good frame: the garbage before it was noise."""
        self._spent_bytes = 0

    def give_up(self, frame_name: str) -> FrameTooLongError:
        """Mark the stream exhausted; the one error its framer reports."""
        self._exhausted = True
        return FrameTooLongError(f"{self._spent_bytes} bytes of garbage without a {frame_name}")


class BudgetedFramer:
    """The state every stream framer keeps between reads: the bytes not framed yet, and the
    garbage budget that bounds how long it keeps looking for a frame in them."""

    def __init__(self, garbage_limit_bytes: int | None, frame_name: str) -> None:
        """``frame_name`` names what the stream failed to send, in the error (``GT06 packet``)."""
        self._buffer = bytearray()
        self._garbage = GarbageBudget(garbage_limit_bytes)
        self._frame_name = frame_name

    @property
    def abandoned(self) -> bool:
        """True once the stream spent its garbage budget: nothing more is read."""
        return self._garbage.exhausted

    @property
    def buffered_bytes(self) -> int:
        return len(self._buffer)

    def _abandon(self) -> FrameTooLongError:
        self._buffer.clear()
        return self._garbage.give_up(self._frame_name)
