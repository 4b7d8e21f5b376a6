"""A frame whose commit fails gets no ACK: the DC-09 and GT06 listeners hang up on the device,
which sends it again on a new connection, and tell their observer so (``not_stored``), over real
sockets."""

from __future__ import annotations

import pytest

from device_gateway.ingest import IngestPipeline
from device_gateway.protocols.gt06 import Gt06Stream
from device_gateway.transports.observer import HangUp
from device_gateway.transports.tcp import serve_tcp
from tests.integration.test_device_gateway.support import Recorder
from tests.integration.test_device_gateway.test_garbage_hang_up import everything_until_closed
from tests.unit.test_device_gateway.dc09_support import plain
from tests.unit.test_device_gateway.ingest_support import FakeStore, stream_gateway
from tests.unit.test_device_gateway.test_gateway import rig
from tests.unit.test_device_gateway.test_ingest_fairness import running
from tests.unit.test_device_gateway.tracker_support import LOGIN_HEX

pytestmark = pytest.mark.integration


def failing_store() -> FakeStore:
    store = FakeStore()
    store.fail = ConnectionError("the database went away")  # the next commit raises
    return store


async def test_a_dc09_frame_not_stored_is_hung_up_on_without_an_ack() -> None:
    seen = Recorder()
    async with rig(failing_store()) as r:
        listener = await serve_tcp(r.gateway, "127.0.0.1", 0, observer=seen)
        try:
            answered = await everything_until_closed(listener.port, plain("[#1234|NPA1]"))
        finally:
            await listener.close()
    assert answered == b""
    assert seen.hangups == [HangUp.NOT_STORED]


async def test_a_gt06_login_not_stored_is_hung_up_on_without_an_ack() -> None:
    seen = Recorder()
    pipeline = IngestPipeline(failing_store())
    async with running(pipeline):
        listener = await serve_tcp(
            stream_gateway(Gt06Stream, pipeline), "127.0.0.1", 0, transport="gt06", observer=seen
        )
        try:
            answered = await everything_until_closed(listener.port, bytes.fromhex(LOGIN_HEX))
        finally:
            await listener.close()
    assert answered == b""
    assert seen.hangups == [HangUp.NOT_STORED]
