"""Framing cost of junk on every device port: time per MB at 1, 2, 4 and 8 MB, and the ratio of
the largest figure to the smallest (about 1: linear). The framer this replaced took 23-36 s per
MB of ``x`` in 64 KiB reads (each false start searched the whole read again) and emitted an
event per false start; with the garbage budget the new one gives up on 8 MB in milliseconds.

Each protocol gets its worst junk, fed in 64 KiB reads as a socket delivers it, with the
per-connection garbage budget switched off so that the scan itself is measured (with the budget
on, every stream is given up on after a few KiB: the last table shows that cost):

* GT06: ``x`` (0x78, half a start marker), a false start every two bytes;
* DC-09: ``LF x CR``, a misshapen frame every three bytes (each one handed out for a NAK), and
  bare LFs, each one restarting a frame;
* device HTTP: one request whose chunked body is 1-byte chunks, an h11 event every six bytes;
* OsmAnd: a form body whose device id is megabytes of percent-escapes (a body of many fields is
  refused after one count of its separators, in microseconds).

    .venv/bin/python -m bench.framing            # about a minute on a busy 2-core machine
    .venv/bin/python -m bench.framing --sizes 1 2   # a quick look
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable
from typing import Final

import h11

from device_gateway.errors import GatewayError
from device_gateway.protocols.dc09 import frames as dc09_frames
from device_gateway.protocols.dc09.frames import StreamFramer
from device_gateway.protocols.gt06 import frames as gt06_frames
from device_gateway.protocols.gt06.frames import Gt06Framer
from device_gateway.protocols.osmand import parse_request

MEGABYTE: Final = 1024 * 1024
SIZES_MB: Final = (1, 2, 4, 8)
READ_BYTES: Final = 65_536
NO_BUDGET: Final = 1 << 62

Feeder = Callable[[bytes], int]
"""Feeds junk the way its transport would; returns how many events came out."""


def reads(data: bytes) -> list[bytes]:
    return [data[i : i + READ_BYTES] for i in range(0, len(data), READ_BYTES)]


def gt06(budget: int) -> Feeder:
    def feed(data: bytes) -> int:
        framer = Gt06Framer(garbage_limit_bytes=budget)
        return sum(len(framer.feed(chunk)) for chunk in reads(data))

    return feed


def dc09(budget: int) -> Feeder:
    def feed(data: bytes) -> int:
        framer = StreamFramer(garbage_limit_bytes=budget)
        return sum(len(framer.feed(chunk)) for chunk in reads(data))

    return feed


def device_http(data: bytes) -> int:
    conn = h11.Connection(h11.SERVER)
    events = 0
    head = b"POST / HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunks = iter(reads(head + data + b"0\r\n\r\n"))
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(next(chunks, b""))
        elif isinstance(event, h11.ConnectionClosed | h11.EndOfMessage):
            return events
        else:
            events += 1


def osmand(data: bytes) -> int:
    with contextlib.suppress(GatewayError):
        return len(parse_request("POST", "/", "application/x-www-form-urlencoded", b"id=" + data))
    return 0


def junk(pattern: bytes, size_mb: int) -> bytes:
    return pattern * (size_mb * MEGABYTE // len(pattern))


CASES: Final[list[tuple[str, bytes, Feeder]]] = [
    ("GT06 x", b"x", gt06(NO_BUDGET)),
    ("DC-09 LF x CR", b"\nx\r", dc09(NO_BUDGET)),
    ("DC-09 LF", b"\n", dc09(NO_BUDGET)),
    ("HTTP 1-byte chunks", b"1\r\nx\r\n", device_http),
    ("OsmAnd form", b"%41", osmand),
]
BUDGETED: Final[list[tuple[str, bytes, Feeder]]] = [
    ("GT06 x", b"x", gt06(gt06_frames.GARBAGE_LIMIT_BYTES)),
    ("DC-09 LF x CR", b"\nx\r", dc09(dc09_frames.GARBAGE_LIMIT_BYTES)),
]


def measure(feed: Feeder, data: bytes) -> tuple[float, int]:
    started = time.perf_counter()
    events = feed(data)
    return time.perf_counter() - started, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES_MB), metavar="MB")
    sizes: list[int] = parser.parse_args().sizes
    ratio = f"{sizes[-1]}/{sizes[0]} ratio"
    print(f"{'junk':<20}" + "".join(f"{size:>4} MB s/MB" for size in sizes) + f"{ratio:>12}")
    for name, pattern, feed in CASES:
        per_mb = []
        for size in sizes:
            seconds, _ = measure(feed, junk(pattern, size))
            per_mb.append(seconds / size)
        row = "".join(f"{value:>12.3f}" for value in per_mb)
        print(f"{name:<20}{row}{per_mb[-1] / per_mb[0]:>12.2f}")
    print("\nwith the per-connection garbage budget (the stream is given up on):")
    for name, pattern, feed in BUDGETED:
        seconds, events = measure(feed, junk(pattern, sizes[-1]))
        print(f"{name:<20}{sizes[-1]} MB in {seconds * 1000:.2f} ms, {events} events")


if __name__ == "__main__":
    main()
