"""One served process per variant, shared by every acceptance test of that variant.

The ``served`` fixture is package-scoped and parametrized, so pytest runs all tests of one
variant against one `posbon serve`, stops it (SIGINT) and checks its exit before starting the
next: SQLite under uvloop (README's default), SQLite under asyncio, and PostgreSQL with the Redis
bus (skipped when PostgreSQL or Redis is not on 127.0.0.1, unless CI is set).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import asyncpg
import httpx
import pytest

from sync.client import SyncClient
from sync.http_transport import HttpTransport
from tests.acceptance import fleet
from tests.acceptance.support import EXPLAINED, ServedPosbon, models_env
from tests.conftest import POSTGRES_URL

REDIS_URL: Final = "redis://127.0.0.1:6379/0"
MQTT_URL: Final = "mqtt://127.0.0.1:1883"
SERVERS: Final = ("served", "demo")  # the fixtures that hold a ServedPosbon
LAST_TEST: Final = "test_serve_stops_on_ctrl_c"  # test_shutdown.py


@dataclass(frozen=True)
class Variant:
    name: str
    env: dict[str, str] = field(default_factory=dict)
    postgres: bool = False


UVLOOP: Final = Variant("uvloop")
ASYNCIO: Final = Variant("asyncio", {"POSBON_EVENT_LOOP": "asyncio"})
POSTGRES: Final = Variant("postgres-redis", postgres=True)
VARIANTS: Final = [
    pytest.param(UVLOOP, id=UVLOOP.name),
    pytest.param(ASYNCIO, id=ASYNCIO.name),
    pytest.param(POSTGRES, id=POSTGRES.name, marks=pytest.mark.postgres),
]


def _reachable(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


async def _on_postgres(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database for one served variant; dropped afterwards."""
    if not (_reachable(5432) and _reachable(6379)):
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL (5432) and Redis (6379) must run on 127.0.0.1 in CI")
        pytest.skip("PostgreSQL or Redis is not running on 127.0.0.1")
    name = f"posbon_acceptance_{uuid.uuid4().hex[:12]}"
    asyncio.run(_on_postgres(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        asyncio.run(_on_postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _check_crew_ids(served: ServedPosbon) -> None:
    headers = {"Authorization": f"Bearer {served.token('admin')}"}
    listed = httpx.get(served.http + "/api/v1/crews", headers=headers, timeout=10).json()
    found = {crew["name"]: crew["id"] for crew in listed}
    assert found == dict(fleet.CREWS), f"the imported crews were numbered {found}"


def new_node(variant: Variant, root: Path, database_url: str = "") -> ServedPosbon:
    env = models_env() | variant.env
    if database_url:
        env |= {"POSBON_DATABASE_URL": database_url, "POSBON_BUS_URL": REDIS_URL}
    return ServedPosbon(
        root, env=env, args=["--mqtt-url", MQTT_URL], name=f"serve [{variant.name}]"
    )


def start_with_fleet(node: ServedPosbon) -> None:
    """Import the fleet and make the tokens with the CLI, starting to serve once the devices
    are in (the DC-09 receiver loads its accounts when it starts)."""
    devices, crews = fleet.write_fleet(node.root)
    node.cli("crews", "import", str(crews))  # alone: it creates the schema
    importing = node.spawn("devices", "import", str(devices))

    def serve_once_imported() -> None:
        importing.result()
        node.launch()

    tokens: list[tuple[str, int | None]] = [(role, None) for role in fleet.ROLES if role != "crew"]
    tokens += [("crew", crew_id) for _, crew_id in fleet.CREWS]
    node.prepare_tokens(tokens, meanwhile=serve_once_imported)
    node.wait_until_healthy()
    _check_crew_ids(node)


@pytest.fixture(scope="package", params=VARIANTS)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedPosbon]:
    variant: Variant = request.param
    root = tmp_path_factory.mktemp(f"served-{variant.name}")
    with contextlib.ExitStack() as cleanup:
        url = cleanup.enter_context(fresh_postgres_database()) if variant.postgres else ""
        node = new_node(variant, root, url)
        cleanup.callback(node.stop)
        start_with_fleet(node)
        yield node
        if node.running:  # test_shutdown was not selected: check the end of its life here
            node.assert_clean_exit()


def _variant_of(item: pytest.Item) -> object:
    callspec = getattr(item, "callspec", None)
    return None if callspec is None else callspec.params.get("served")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each variant's shutdown test goes right after the last other test of its variant (by
    now pytest has grouped the tests by variant, to start each server once)."""
    for last in [item for item in items if item.name.startswith(LAST_TEST)]:
        items.remove(last)
        variant = _variant_of(last)
        same = [at for at, item in enumerate(items) if _variant_of(item) == variant]
        items.insert(same[-1] + 1 if same else len(items), last)


@pytest.fixture
async def devices(tmp_path: Path) -> AsyncIterator[Callable[[str, str], SyncClient]]:
    """Opens sync clients (a tablet or a station, each with its own queue file)."""
    opened: list[tuple[SyncClient, HttpTransport]] = []

    def open_device(base_url: str, token: str) -> SyncClient:
        transport = HttpTransport(base_url, token)
        client = SyncClient.open(tmp_path / f"device-{len(opened)}.sqlite3", transport)
        opened.append((client, transport))
        return client

    yield open_device
    for client, transport in opened:
        client.close()
        await transport.aclose()


@pytest.fixture(autouse=True)
def no_traceback_during_the_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Blames a Traceback the served process logs while a test runs on that test (the door)."""
    nodes = [request.getfixturevalue(name) for name in SERVERS if name in request.fixturenames]
    marks = [(node, node.log_size()) for node in nodes if isinstance(node, ServedPosbon)]
    yield
    for node, mark in marks:
        if not node.running:
            continue  # the test stopped it and checked the whole log itself
        found = node.tracebacks(since=mark)
        assert not found, node.explain(
            f"posbon logged {len(found)} Traceback(s) during this test:\n" + "\n".join(found)
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed acceptance test shows the end of each served process's stderr."""
    report = yield
    if report.failed and EXPLAINED not in report.longreprtext:
        for value in getattr(item, "funcargs", {}).values():
            if isinstance(value, ServedPosbon):
                report.sections.append((f"posbon {value.name} stderr (tail)", value.tail()))
    return report
