"""The shared socket client of both web apps (server/web/static/shared/socket.js), run by node
against a fake WebSocket and a mocked clock: socket_client.test.mjs beside this file says what it
proves (hello with the position, a seq gap makes the next hello ask for the hole, a heartbeat
with no answer and a handshake with no welcome drop the socket, backoff capped at 5 s with
jitter, a refused token stops it, a resync takes the server's seq)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Final

from tests.unit.test_server.node import node

TEST_FILE: Final = Path(__file__).with_name("socket_client.test.mjs")
NODE_TIMEOUT_S: Final = 60


def test_the_shared_socket_client_passes_its_node_tests() -> None:
    done = subprocess.run(
        [node(), "--no-warnings", "--test", "--test-reporter=spec", str(TEST_FILE)],
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "fail 0" in done.stdout, done.stdout
