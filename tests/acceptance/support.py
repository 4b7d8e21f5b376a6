"""The shipped process under test: `posbon serve` (or `posbon demo`) as its own child process.

:class:`ServedPosbon` starts the ``posbon`` console script installed next to the interpreter that
runs the tests, exactly as README starts it: default flags and default event loop, with only the
data directory and the ports changed (``--data-dir``, ``--http-port``, ``--dc09-port``,
``--osmand-port``, ``--gt06-port``, ``--teltonika-port``; free ports on 127.0.0.1, the DC-09 one
free for TCP and UDP). With ``tls=self_signed(dir)`` (tests/certs.py) it serves HTTPS and wss,
and its clients trust that certificate alone.
A variant adds ``POSBON_*`` variables (``POSBON_EVENT_LOOP=asyncio``, a PostgreSQL URL …) or
extra flags. The child's stdout and stderr go to files beside its data directory, so a test can
wait for a log line, read what the demo printed, and show the log's tail when it fails.

Reuse it for any test that needs the real process::

    with ServedPosbon(tmp_path / "node", env={"POSBON_EVENT_LOOP": "asyncio"}) as served:
        served.cli("sites", "import", str(csv_path))  # any `posbon` command, same data and env
        importing = served.spawn("crews", "import", str(other_csv))  # runs beside: .result()
        admin = served.token("admin")                 # `posbon token create`, made once
        async with served.api(admin) as http: ...     # an httpx client for served.http
        served.ports.dc09                             # each door's port (http, osmand, gt06 …)
        served.wait_for_log("subscribed to IoT buttons")  # a stderr line, with a deadline
        mark = served.log_size()                      # … later: served.tracebacks(since=mark)
    # Leaving the block sends SIGINT and waits. served.assert_clean_exit() stops it too, and
    # fails unless it exited with 0 and its stderr holds no Traceback, quoting the log's tail.

Commands run in the repository root (so do the servers): give files by absolute path. The
package's conftest starts one such server per variant (fixture ``served``) with the fleet of
``fleet.py`` imported and a token of every role made; ``clients.py`` holds the device and
socket clients.

``start()`` (``launch()`` then ``wait_until_healthy()``) returns once ``GET /health`` answers 200
(every listener is bound by then) and raises with the log's tail if the process exits or the
deadline passes first; ``stop()`` sends SIGINT and waits, killing only after a deadline (and then
failing). Both are idempotent. Tokens may be made before the start (the CLI migrates the
database), while it starts, or while it runs.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Final, Self

import httpx

from tests.certs import TlsPair
from tests.eventually import eventually_blocking

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
POSBON: Final = Path(sys.executable).with_name("posbon")
PREPARED_MODELS: Final = REPO_ROOT / "var" / "models"  # what `make setup` prepared
MODEL_WHEELS: Final = REPO_ROOT / "var" / "wheels"
STARTUP_TIMEOUT_S: Final = 60.0
STOP_TIMEOUT_S: Final = 20.0
CLI_TIMEOUT_S: Final = 120.0
POLL_S: Final = 0.05
TAIL_LINES: Final = 60
TRACEBACK: Final = "Traceback (most recent call last):"
LOG_RECORD: Final = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", re.MULTILINE)
PORT_PROBES: Final = 50
EXPLAINED: Final = "--- last lines of posbon"


@dataclass(frozen=True)
class Ports:
    http: int
    dc09: int
    osmand: int
    gt06: int
    teltonika: int


def _bound(kind: socket.SocketKind, port: int = 0) -> socket.socket:
    probe = socket.socket(socket.AF_INET, kind)
    try:
        probe.bind(("127.0.0.1", port))
    except OSError:
        probe.close()
        raise
    return probe


def _port_of(probe: socket.socket) -> int:
    port: int = probe.getsockname()[1]
    return port


def pick_ports() -> Ports:
    """Five distinct free ports; the DC-09 one is free for both TCP and UDP."""
    with contextlib.ExitStack() as held:
        tcp = [_port_of(held.enter_context(_bound(socket.SOCK_STREAM))) for _ in range(4)]
        for _ in range(PORT_PROBES):
            stream = held.enter_context(_bound(socket.SOCK_STREAM))
            try:
                held.enter_context(_bound(socket.SOCK_DGRAM, _port_of(stream)))
            except OSError:
                continue  # that port is taken for UDP: keep it held and try another
            dc09 = _port_of(stream)
            return Ports(http=tcp[0], osmand=tcp[1], gt06=tcp[2], teltonika=tcp[3], dc09=dc09)
    raise RuntimeError("no port on 127.0.0.1 is free for both TCP and UDP")


def models_env() -> dict[str, str]:
    """The models `make setup` prepared in var/models, for a data directory elsewhere."""
    return {"POSBON_MODEL_DIR": str(PREPARED_MODELS), "POSBON_MODEL_WHEEL_DIR": str(MODEL_WHEELS)}


def child_environment(overrides: Mapping[str, str]) -> dict[str, str]:
    """This environment without any POSBON_* setting of the caller's, then ``overrides``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("POSBON_")}
    env.update(overrides)
    return env


class ServedPosbon:
    """One `posbon serve` (or `demo`) child process; see the module docstring."""

    def __init__(
        self,
        root: Path,
        *,
        command: str = "serve",
        env: Mapping[str, str] | None = None,
        args: Sequence[str] = (),
        name: str = "",
        tls: TlsPair | None = None,
    ) -> None:
        self.root = root
        self.tls = tls  # opt-in HTTPS (and wss) on the HTTP port, with this self-signed pair
        self.data_dir = root / "data"
        self.stdout_path = root / "stdout.log"
        self.stderr_path = root / "stderr.log"
        self.command = command
        self.name = name or command
        self.extra_args = list(args)
        self.env = child_environment(dict(env or {}))
        self.ports = pick_ports()
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self._tokens: dict[tuple[str, int | None], str] = {}
        root.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(exist_ok=True)

    @property
    def http(self) -> str:
        scheme = "http" if self.tls is None else "https"
        return f"{scheme}://127.0.0.1:{self.ports.http}"

    @property
    def ws(self) -> str:
        scheme = "ws" if self.tls is None else "wss"
        return f"{scheme}://127.0.0.1:{self.ports.http}"

    @property
    def verify(self) -> ssl.SSLContext | bool:
        """What an httpx client needs to trust this server (its own certificate, under TLS)."""
        return True if self.tls is None else self.tls.client_context()

    @property
    def device_http(self) -> str:
        """The OsmAnd / IoT webhook listener."""
        return f"http://127.0.0.1:{self.ports.osmand}"

    def argv(self) -> list[str]:
        return [
            str(POSBON),
            self.command,
            "--data-dir",
            str(self.data_dir),
            "--http-port",
            str(self.ports.http),
            "--dc09-port",
            str(self.ports.dc09),
            "--osmand-port",
            str(self.ports.osmand),
            "--gt06-port",
            str(self.ports.gt06),
            "--teltonika-port",
            str(self.ports.teltonika),
            *self.tls_args(),
            *self.extra_args,
        ]

    def tls_args(self) -> list[str]:
        if self.tls is None:
            return []
        return ["--tls-cert", str(self.tls.cert), "--tls-key", str(self.tls.key)]

    # The process.

    def start(self, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        """Launch, then wait until healthy."""
        self.launch()
        self.wait_until_healthy(timeout_s)

    def launch(self) -> None:
        """Start the process and return at once (the CLI may run meanwhile)."""
        if self.process is not None:
            return
        with self.stdout_path.open("ab") as out, self.stderr_path.open("ab") as err:
            self.process = subprocess.Popen(
                self.argv(), env=self.env, cwd=REPO_ROOT, stdout=out, stderr=err
            )
        self.started_at = time.monotonic()

    def wait_until_healthy(self, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        """Until ``GET /health`` answers 200; fails if the process exits or time runs out."""
        process = self.process
        assert process is not None, "launch() first"

        def healthy() -> bool:
            if process.poll() is not None:
                raise RuntimeError(
                    self.explain(f"posbon {self.command} exited with {process.returncode}")
                )
            with contextlib.suppress(httpx.HTTPError):
                answer = httpx.get(self.http + "/health", timeout=1.0, verify=self.verify)
                return answer.status_code == 200
            return False

        left_s = self.started_at + timeout_s - time.monotonic()
        try:
            eventually_blocking(healthy, timeout_s=left_s, interval_s=POLL_S)
        except AssertionError as err:
            message = f"/health did not answer 200 within {timeout_s} s"
            raise RuntimeError(self.explain(message)) from err

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> int | None:
        """SIGINT (Ctrl+C), then wait; the exit status, or None if it never started."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout_s)
                raise AssertionError(
                    self.explain(f"posbon {self.command} ignored SIGINT for {timeout_s} s")
                ) from None
        return self.process.returncode

    def assert_clean_exit(self) -> None:
        """After stop(): exit status 0 and not one Traceback in stderr."""
        status = self.stop()
        found = self.tracebacks()
        problems = [] if status == 0 else [f"exit status {status} after SIGINT"]
        if found:
            problems.append(f"{len(found)} Traceback(s) in stderr:\n" + "\n".join(found))
        assert not problems, self.explain(f"posbon {self.name}: " + "; ".join(problems))

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    # The command line, against the same data directory and environment.

    def spawn(self, *args: str) -> CliRun:
        """Start `posbon ARGS --data-dir …` and return at once."""
        child = subprocess.Popen(
            [str(POSBON), *args, "--data-dir", str(self.data_dir)],
            env=self.env,
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        return CliRun(list(args), child)

    def cli(self, *args: str, timeout_s: float = CLI_TIMEOUT_S) -> str:
        """Run `posbon ARGS --data-dir …`; its stdout, stripped. Fails on a non-zero exit."""
        return self.spawn(*args).result(timeout_s)

    def prepare_tokens(
        self,
        wanted: Sequence[tuple[str, int | None]],
        meanwhile: Callable[[], object] = lambda: None,
    ) -> None:
        """Make the tokens ``(role, crew)`` not made yet, all at once (each `posbon token
        create` is mostly interpreter start-up); ``meanwhile()`` runs while they are made."""
        missing = [spec for spec in dict.fromkeys(wanted) if spec not in self._tokens]
        runs = [self.spawn(*_token_command(role, crew)) for role, crew in missing]
        try:
            meanwhile()
        finally:
            made = finish_all(runs)
        self._tokens.update(zip(missing, made, strict=True))

    def token(self, role: str, crew: int | None = None) -> str:
        """A bearer token for ``role`` (crew tokens name their crew), made once."""
        self.prepare_tokens([(role, crew)])
        return self._tokens[(role, crew)]

    # HTTP.

    def api(self, token: str | None = None, timeout_s: float = 30.0) -> httpx.AsyncClient:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        return httpx.AsyncClient(
            base_url=self.http, headers=headers, timeout=timeout_s, verify=self.verify
        )

    # The log.

    def log_text(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def log_lines(self) -> list[str]:
        return self.log_text().splitlines()

    def stdout_text(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    def log_size(self) -> int:
        """A mark in stderr: pass it as ``since`` to look only at what came after."""
        return len(self.log_text())

    def tail(self, lines: int = TAIL_LINES) -> str:
        return "\n".join(self.log_lines()[-lines:])

    def explain(self, message: str) -> str:
        """``message`` followed by the last lines posbon wrote to stderr."""
        return f"{message}\n{EXPLAINED} {self.name} stderr ---\n{self.tail()}"

    def tracebacks(self, since: int = 0) -> list[str]:
        """Each Traceback in stderr after ``since``, with the log record that carried it."""
        text = self.log_text()
        found = []
        for match in re.finditer(re.escape(TRACEBACK), text[since:]):
            at = since + match.start()
            records = [m.start() for m in LOG_RECORD.finditer(text, 0, at)]
            start = records[-1] if records else at
            after = LOG_RECORD.search(text, at)
            found.append(text[start : after.start() if after else len(text)].rstrip())
        return list(dict.fromkeys(found))

    def wait_for_log(self, needle: str, timeout_s: float = 10.0, since: int = 0) -> str:
        """The first stderr line after ``since`` that holds ``needle``; fails at the deadline."""
        return _wait_for_line(self.stderr_path, needle, timeout_s, since, self)

    def wait_for_stdout(self, needle: str, timeout_s: float = 10.0) -> str:
        return _wait_for_line(self.stdout_path, needle, timeout_s, 0, self)


class CliRun:
    """One `posbon` command running beside the test."""

    def __init__(self, args: list[str], child: subprocess.Popen[bytes]) -> None:
        self.args = args
        self.child = child

    def wait(self, timeout_s: float = CLI_TIMEOUT_S) -> tuple[int, str, str]:
        """Exit status, stdout and stderr (killed at the deadline)."""
        try:
            out, err = self.child.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.child.kill()
            out, err = self.child.communicate()
        return self.child.returncode, out.decode().strip(), err.decode().strip()

    def result(self, timeout_s: float = CLI_TIMEOUT_S) -> str:
        """Its stdout; fails, quoting its stderr, unless it exited with 0."""
        status, out, err = self.wait(timeout_s)
        assert status == 0, f"posbon {' '.join(self.args)} exited with {status}: {err}"
        return out


def finish_all(runs: Sequence[CliRun]) -> list[str]:
    """Every run's stdout, once all have ended; fails naming each one that did not exit 0."""
    ended = [(run, *run.wait()) for run in runs]
    failed = [
        f"posbon {' '.join(run.args)}: {status}: {err}" for run, status, _, err in ended if status
    ]
    assert not failed, "\n".join(failed)
    return [out for _, _, out, _ in ended]


def _token_command(role: str, crew: int | None) -> list[str]:
    command = ["token", "create", "--role", role, "--name", f"acceptance-{role}-{crew or 0}"]
    return command if crew is None else [*command, "--crew", str(crew)]


def _wait_for_line(
    path: Path, needle: str, timeout_s: float, since: int, served: ServedPosbon
) -> str:
    def line() -> str:
        text = path.read_text(encoding="utf-8", errors="replace")[since:]
        for found in text.splitlines():
            if needle in found:
                return found
        if served.process and served.process.poll() is not None:
            raise RuntimeError(
                served.explain(f"posbon exited; {path.name} never showed {needle!r}")
            )
        raise AssertionError(f"{path.name} does not show {needle!r} yet")

    try:
        return eventually_blocking(line, timeout_s=timeout_s, interval_s=POLL_S)
    except AssertionError as err:
        raise AssertionError(served.explain(f"{path.name} never showed {needle!r}")) from err
