"""Slowloris on the API port of the shipped process: `posbon serve --http-header-timeout-s 0.5`,
on both event loops, answers clients that trickle a request head 408 and hangs up on them, counts
each in /metrics, keeps answering /health all the while, and stops with status 0 and no
Traceback."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Final

import pytest

from tests.acceptance.support import ServedPosbon
from tests.trickle import head_start, trickle_until_closed

pytestmark = pytest.mark.acceptance

LOOPS: Final = ("uvloop", "asyncio")
TRICKLERS: Final = 20
HEALTH_EVERY_S: Final = 0.05
TIMEOUTS: Final = "posbon_http_header_timeouts_total"


async def _health_while(served: ServedPosbon, trickling: asyncio.Future[list[bytes]]) -> list[int]:
    """/health's status, asked again and again until ``trickling`` is done (each on its own
    connection: a poll never meets a kept-alive connection the server is just closing)."""
    statuses = []
    async with served.api() as http:
        while not trickling.done():
            answer = await http.get("/health", headers={"Connection": "close"})
            statuses.append(answer.status_code)
            await asyncio.wait([trickling], timeout=HEALTH_EVERY_S)
    return statuses


@pytest.mark.parametrize("loop_name", LOOPS)
async def test_trickling_clients_are_answered_408_and_counted_while_health_answers(
    loop_name: str, tmp_path: Path
) -> None:
    node = ServedPosbon(
        tmp_path,
        env={"POSBON_EVENT_LOOP": loop_name},
        args=["--http-header-timeout-s", "0.5"],
        name=f"serve --http-header-timeout-s 0.5 [{loop_name}]",
    )
    admin = node.token("admin")  # before the start: the CLI creates the schema
    with node:
        trickling = asyncio.gather(
            *(trickle_until_closed(node.ports.http, head_start()) for _ in range(TRICKLERS))
        )
        health = await _health_while(node, trickling)
        answers = await trickling
        async with node.api(admin) as http:
            metrics = (await http.get("/metrics")).text
        node.assert_clean_exit()

    assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in answers), answers
    assert health, "/health was never asked"
    assert set(health) == {200}, health
    assert f"{TIMEOUTS} {float(TRICKLERS)}" in metrics, node.explain(metrics)
