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


# Under pytest-xdist a module's tests stay together on one worker, so its module-scoped fixtures
# are made once and tests that follow one another in a module (a server drilled by one, stopped by
# the next) still do; the tests that share one outside service by fixed names (Redis pub/sub
# channels are global across databases, MQTT topics are the broker's) are one group across
# modules, run one after the other. (xdist's own `xdist_group` marks do nothing on pytest 9.2,
# whose node ids xdist can no longer suffix, hence a scheduler of our own.)
SHARED_SERVICES: Final = (
    "tests/acceptance/",
    "tests/integration/test_cluster/",
    "tests/integration/test_server/app/test_nodes.py",
    "tests/integration/test_server/app/test_parts_drill.py",
    "tests/integration/test_device_gateway/test_trackers.py",
    "tests/integration/test_recognition/test_workers",
)


def schedule_group(nodeid: str) -> str:
    """The scheduling unit of a test: its file, or the one group of the shared services."""
    path = nodeid.split("::", 1)[0]
    return "shared-services" if path.startswith(SHARED_SERVICES) else path


@pytest.hookimpl(optionalhook=True)  # an xdist hook: without xdist it is never called
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    from xdist.scheduler import LoadScopeScheduling  # noqa: PLC0415 (the libs venv has no xdist)

    class ByGroup(LoadScopeScheduling):  # type: ignore[misc]  # xdist ships no types
        def _split_scope(self, nodeid: str) -> str:
            return schedule_group(nodeid)

    return ByGroup(config, log)
