"""`posbon demo` and `posbon serve` as real processes: Ctrl+C (SIGINT) or SIGTERM stops them with
status 0 and no traceback, and the `posbon panel send` line the demo prints presses one of its
buttons."""

from __future__ import annotations

import contextlib
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, posbon
from tests.eventually import eventually_blocking

pytestmark = [pytest.mark.integration, pytest.mark.slow]

STARTUP_TIMEOUT_S = 60.0
POLL_S = 0.1
STOP_TIMEOUT_S = 30.0
# What a shutdown must never print: a traceback, or asyncio and aiosqlite complaining about
# work left behind.
NEVER_SAID = ("Traceback", "never retrieved", "Event loop is closed", "was destroyed")


class Running:
    def __init__(self, process: subprocess.Popen[bytes], http: str, folder: Path) -> None:
        self.process = process
        self.http = http
        self.folder = folder

    def stdout(self) -> str:
        return (self.folder / "stdout").read_text()

    def stderr(self) -> str:
        return (self.folder / "stderr").read_text()

    def stop(self, number: signal.Signals) -> int:
        self.process.send_signal(number)
        return self.process.wait(STOP_TIMEOUT_S)


@contextlib.contextmanager
def running(command: str, folder: Path) -> Iterator[Running]:
    """``posbon COMMAND`` on free ports, once /health answers; killed if a test leaves it up."""
    port = free_port()
    ports = ("--http-port", str(port), "--dc09-port", str(free_port()))
    trackers = (
        "--osmand-port",
        str(free_port()),
        "--gt06-port",
        str(free_port()),
        "--teltonika-port",
        str(free_port()),
    )
    data = ("--data-dir", str(folder / "var"))
    with (folder / "stdout").open("wb") as out, (folder / "stderr").open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "server", command, *data, *ports, *trackers],
            stdout=out,
            stderr=err,
        )
    served = Running(process, f"http://127.0.0.1:{port}", folder)
    try:
        _wait_healthy(served)
        yield served
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(STOP_TIMEOUT_S)


def _wait_healthy(served: Running) -> None:
    def healthy() -> bool:
        if served.process.poll() is not None:
            pytest.fail(f"posbon exited before /health answered: {served.stderr()}")
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(served.http + "/health", timeout=1).status_code == 200
        return False

    try:
        eventually_blocking(healthy, timeout_s=STARTUP_TIMEOUT_S, interval_s=POLL_S)
    except AssertionError:
        pytest.fail(f"no /health in {STARTUP_TIMEOUT_S} s: {served.stderr()}")


def _printed_line(served: Running, label: str) -> str:
    """The line of the demo's greeting that starts with ``label`` (printed once it has seeded)."""

    def printed() -> str:
        for line in served.stdout().splitlines():
            if line.strip().startswith(label):
                return line.strip().removeprefix(label).strip()
        raise AssertionError(f"the demo printed no {label!r}: {served.stdout()}")

    return eventually_blocking(printed, timeout_s=STARTUP_TIMEOUT_S, interval_s=POLL_S)


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("command", ["demo", "serve"])
def test_a_signal_stops_it_with_status_0_and_no_traceback(
    command: str, number: signal.Signals, tmp_path: Path
) -> None:
    with running(command, tmp_path) as served:
        if command == "demo":
            _printed_line(served, "Press a button:")  # the simulator is running too
        assert served.stop(number) == 0, served.stderr()
        said = served.stderr()
    for never in NEVER_SAID:
        assert never not in said, said


def test_the_panel_send_line_the_demo_prints_presses_one_of_its_buttons(tmp_path: Path) -> None:
    with running("demo", tmp_path) as served:
        example = shlex.split(_printed_line(served, "Press a button:"))
        assert example[:3] == ["posbon", "panel", "send"]
        pressed = posbon(*example[1:])
        assert served.stop(signal.SIGINT) == 0
    assert pressed.returncode == 0, pressed.stderr
    assert pressed.stdout.split()[0] == "ACK"
    panels = served.stdout()
    assert "DC-09 accounts 001001 to 001018" in panels
    assert "unencrypted" in panels
