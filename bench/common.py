"""What every benchmark needs: a free port, a server that is up, a percentile."""

from __future__ import annotations

import contextlib
import socket
import time

import httpx

STARTUP_POLLS = 300
POLL_S = 0.1


def free_port() -> int:
    """A port on 127.0.0.1 that nobody holds right now for TCP or for UDP (DC-09 listens on
    both with one number)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
        with contextlib.suppress(OSError), socket.socket(type=socket.SOCK_DGRAM) as twin:
            twin.bind(("127.0.0.1", port))
            return port


def wait_healthy(base: str) -> None:
    """Block until `base`/health answers 200, for at most 30 s."""
    for _ in range(STARTUP_POLLS):
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return
        time.sleep(POLL_S)
    raise SystemExit("the server did not start")


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank); NaN for none."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
