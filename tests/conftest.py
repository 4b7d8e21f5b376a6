"""Helpers for every suite. Nothing here imports the server: the device_gateway and sync unit
tests load this file in a venv without litestar, piccolo, uvicorn or asyncpg (`make test-libs`).
The server's fixtures are in tests/integration/conftest.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from typing import Any

JSON = dict[str, Any]
POSTGRES_URL = os.environ.get(
    "POSBON_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def posbon(*args: str, timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
    """`posbon ARGS` as its own process (what an operator types), output captured."""
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
