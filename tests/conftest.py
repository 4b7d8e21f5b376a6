"""Helpers for every suite. Nothing here imports the server: the device_gateway and sync unit
tests load this file in a venv without litestar, piccolo, uvicorn or asyncpg (`make test-libs`).
The server's fixtures are in tests/integration/conftest.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from typing import Any, Final

import pytest

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


# Tests that share one outside service by fixed names (Redis pub/sub channels are global across
# databases, MQTT topics are the broker's): under pytest-xdist they all run on one worker, one
# after the other, while the rest spread over the others (`--dist loadgroup`).
SHARED_SERVICES: Final = (
    "tests/acceptance/",
    "tests/integration/test_cluster/",
    "tests/integration/test_server/app/test_nodes.py",
    "tests/integration/test_server/app/test_parts_drill.py",
    "tests/integration/test_device_gateway/test_trackers.py",
    "tests/integration/test_recognition/test_workers",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "xdist_group(name): tests that run on one xdist worker")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = item.path.relative_to(config.rootpath).as_posix()
        if path.startswith(SHARED_SERVICES):
            item.add_marker(pytest.mark.xdist_group("shared-services"))
