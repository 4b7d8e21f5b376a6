"""A real DC-09 sender (my-dc09-spt) against the real server, over TCP and UDP, on both engines:
every event is ACKed, stored and shown to dispatchers as an alert at its site."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

import pytest

from server.db import Database
from server.settings import Settings
from tests.eventually import eventually
from tests.integration.test_device_gateway.support import (
    KEY_128,
    KEY_256,
    Gateway,
    gateway_on,
    send,
)
from tests.integration.test_server.helpers import open_socket, receive

pytestmark = pytest.mark.integration
Test = TypeVar("Test", bound=Callable[..., Any])


@pytest.fixture
def collect_leaked_sockets() -> Iterator[None]:
    yield
    gc.collect()


def sender_leaks_on_nak(test: Test) -> Test:
    """my-dc09-spt raises out of its reply parser on a NAK and leaks that connection's socket:
    collect it inside the test that caused it, where the warning is expected."""
    ignore = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
    marked: Test = ignore(pytest.mark.usefixtures("collect_leaked_sockets")(test))
    return marked


TRANSPORTS = ["TCP", "UDP"]
KEYS = [
    pytest.param(None, id="plain"),
    pytest.param(KEY_128, id="aes128"),
    pytest.param(KEY_256, id="aes256"),
]


@pytest.fixture
async def gw(settings: Settings, db: Database) -> AsyncIterator[Gateway]:
    async with gateway_on(settings, db) as running:
        yield running


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("key", KEYS)
async def test_panic_is_acked_stored_and_reaches_the_dispatcher_at_its_site(
    gw: Gateway, transport: str, key: bytes | None
) -> None:
    device = await gw.add_device("4101", key=key, encrypted=key is not None, site="School 41")
    socket, _ = await open_socket(gw.live, "/ws/dispatch", gw.dispatcher)
    assert await send(
        gw.port, "4101", {"code": 120, "q": 1, "zone": 5}, key=key, transport=transport
    )
    events = await receive(socket, 3)
    alert = next(event["data"] for event in events if event["type"] == "alert")
    assert alert["kind"] == "panic"
    assert alert["priority"] == 1
    assert alert["source"] == "dc09"
    assert alert["device_id"] == device["id"]
    assert alert["site"]["name"] == "School 41"
    assert alert["site"]["lat"] == pytest.approx(39.6548)
    (signal,) = await gw.signals(account="4101")
    assert signal["encrypted"] is (key is not None)
    assert signal["code"] == "120"
    assert signal["zone"] == "005"
    assert signal["alert_id"] == alert["id"]
    assert signal["transport"] == transport.lower()
    await socket.close()


async def test_sia_fire_event_over_udp_is_alerted_with_its_zone(gw: Gateway) -> None:
    await gw.add_device("4102")
    assert await send(gw.port, "4102", {"code": "FA", "zone": 7}, transport="UDP", token="SIA-DCS")
    (signal,) = await gw.signals(account="4102")
    assert (signal["kind"], signal["zone"], signal["code_family"]) == ("fire", "7", "sia")
    (alert,) = await gw.alerts()
    assert alert["kind"] == "fire"


async def test_unknown_code_is_acked_stored_as_unknown_and_shown(gw: Gateway) -> None:
    await gw.add_device("4103")
    assert await send(gw.port, "4103", {"code": 999, "q": 1, "zone": 1})
    (signal,) = await gw.signals(account="4103")
    assert signal["kind"] == "unknown"
    assert signal["code"] == "999"
    (alert,) = await gw.alerts()
    assert alert["kind"] == "unknown"


@sender_leaks_on_nak
async def test_plaintext_to_an_encrypted_account_is_refused_with_one_security_alert(
    gw: Gateway,
) -> None:
    await gw.add_device("4104", key=KEY_128, encrypted=True)
    assert not await send(gw.port, "4104", {"code": 120, "q": 1, "zone": 1})
    assert not await send(gw.port, "4104", {"code": 121, "q": 1, "zone": 2}, transport="UDP")
    assert await gw.signals(account="4104") == []

    async def one_security_alert() -> bool:
        return len(await gw.alerts()) == 1

    await eventually(one_security_alert)  # raised beside the NAK, not before it
    (alert,) = await gw.alerts()
    assert (alert["kind"], alert["details"]["reason"]) == ("tamper", "plaintext")
    assert await send(gw.port, "4104", {"code": 120, "q": 1, "zone": 1}, key=KEY_128)


@sender_leaks_on_nak
async def test_wrong_key_is_refused_and_nothing_is_stored(gw: Gateway) -> None:
    await gw.add_device("4105", key=KEY_256, encrypted=True)
    assert not await send(gw.port, "4105", {"code": 120, "q": 1}, key=b"f" * 32)
    assert await gw.signals(account="4105") == []


async def test_unregistered_account_is_stored_and_acked_but_raises_nothing(gw: Gateway) -> None:
    assert await send(gw.port, "4999", {"code": 120, "q": 1, "zone": 1})
    (signal,) = await gw.signals(account="4999")
    assert signal["registered"] is False
    assert signal["device_id"] is None
    assert await gw.alerts() == []


async def test_restore_and_test_are_stored_without_a_new_incident(gw: Gateway) -> None:
    await gw.add_device("4106")
    spt_events = [
        {"code": 301, "q": 1, "zone": 0},  # AC loss: a trouble alert
        {"code": 301, "q": 3, "zone": 0},  # AC restore: closes that undispatched alert
        {"code": 602, "q": 1, "zone": 0},  # periodic test: stored only
    ]
    for event in spt_events:
        assert await send(gw.port, "4106", event)
    signals = await gw.signals(account="4106")
    assert [s["qualifier"] for s in reversed(signals)] == ["new", "restore", "new"]
    (alert,) = await gw.alerts()
    assert alert["kind"] == "trouble"
    restore = next(s for s in signals if s["qualifier"] == "restore")
    assert restore["alert_id"] == alert["id"]
    incident = await gw.get(f"/api/v1/incidents/{alert['incident_id']}")
    assert incident["status"] == "cancelled"
