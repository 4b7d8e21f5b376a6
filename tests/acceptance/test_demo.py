"""`posbon demo` as a newcomer runs it (its own data directory and ports): it starts, prints a
dispatcher token, its simulator raises an alert that reaches /ws/dispatch within 30 s, its banks
come with action plans, key-holders and opening hours, and it stops cleanly on Ctrl+C (the
tests run in this order)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.acceptance.clients import say_hello, wait_for_event
from tests.acceptance.support import ServedPosbon, models_env

pytestmark = pytest.mark.acceptance
FIRST_ALERT_WITHIN_S = 30.0
BANK = "National bank, Samarkand branch"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedPosbon]:
    node = ServedPosbon(Path(tmp_path_factory.mktemp("demo")), command="demo", env=models_env())
    try:
        node.start()
        yield node
        if node.running:  # the last test below was not selected
            node.assert_clean_exit()
    finally:
        node.stop()


async def test_the_demo_raises_an_alert_on_the_dispatch_socket_within_30_s_of_starting(
    demo: ServedPosbon,
) -> None:
    printed = await asyncio.to_thread(demo.wait_for_stdout, "Dispatcher token:", 10.0)
    token = printed.split(":", 1)[1].strip()
    socket, _ = await say_hello(demo, "/ws/dispatch", token, last_seq=0)  # all since the start
    try:
        left_s = FIRST_ALERT_WITHIN_S - (time.monotonic() - demo.started_at)
        event = await wait_for_event(demo, socket, lambda e: e.get("type") == "alert", left_s)
    finally:
        await socket.close()
    assert event["data"]["site"]["name"], event
    assert 1 <= event["data"]["priority"] <= 4


async def test_the_demo_has_plans_keyholders_and_opening_hours_for_its_banks(
    demo: ServedPosbon,
) -> None:
    printed = await asyncio.to_thread(demo.wait_for_stdout, "Dispatcher token:", 10.0)
    async with demo.api(printed.split(":", 1)[1].strip()) as client:
        plans = (await client.get("/api/v1/plans")).raise_for_status().json()
        sites = (await client.get("/api/v1/sites")).raise_for_status().json()
        bank = next(site for site in sites if site["name"] == BANK)
        contacts = await client.get(f"/api/v1/sites/{bank['id']}/contacts")
        schedule = await client.get(f"/api/v1/sites/{bank['id']}/schedule")
    assert {(plan["name"], plan["alert_kind"], plan["site_kind"]) for plan in plans} >= {
        ("Bank intrusion", "intrusion", "bank"),
        ("Bank hold-up", "panic", "bank"),
        ("School panic", "panic", "school"),
        ("Fire", "fire", None),
    }
    assert [contact["name"] for contact in contacts.raise_for_status().json()][:1] == [
        "Dilshod Rahimov"
    ]
    assert schedule.raise_for_status().json()["weekly"]["mon"] == ["09:00-18:00"]


def test_the_demo_stops_on_ctrl_c_with_status_0_and_no_traceback_in_its_log(
    demo: ServedPosbon,
) -> None:
    demo.assert_clean_exit()
