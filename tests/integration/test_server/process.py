"""Run `posbon serve` as a real child process, for tests that kill it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import free_port
from tests.eventually import eventually_blocking

STARTUP_TIMEOUT_S = 60.0
LOG_TAIL_BYTES = 3000


class ServerProcess:
    def __init__(
        self, data_dir: Path, database_url: str = "", env: Mapping[str, str] | None = None
    ) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.extra_env = dict(env or {})  # POSBON_* settings for this node, applied last
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["POSBON_DATA_DIR"] = str(self.data_dir)
        env["POSBON_DATABASE_URL"] = self.database_url
        env["POSBON_DC09_PORT"] = "0"
        env["POSBON_OSMAND_PORT"] = "0"
        env["POSBON_GT06_PORT"] = "0"
        env["POSBON_TELTONIKA_PORT"] = "0"
        env.update(self.extra_env)
        return env

    def command(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "server", *args],
            env=self._env(),
            capture_output=True,
            check=True,
            timeout=60,
        )
        return done.stdout.decode().strip()

    def _log_path(self) -> Path:
        """Where the child's log goes: POSBON_TEST_SERVER_LOG names a file to keep it; else a
        file beside (not in) its data directory, whose end a failed start quotes."""
        path = os.environ.get("POSBON_TEST_SERVER_LOG")
        if path:
            return Path(path)
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        return self.data_dir.parent / f"serve-{self.port}.log"

    def _log(self) -> Any:
        return self._log_path().open("ab")

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self._log_path().read_bytes()[-LOG_TAIL_BYTES:].decode(errors="replace")
        return ""

    def start(self) -> None:
        log = self._log()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server", "serve", "--http-port", str(self.port)],
                env=self._env(),
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        finally:
            log.close()  # the child has its own copy
        process = self.process

        def healthy() -> bool:
            if process.poll() is not None:
                raise RuntimeError(
                    f"posbon serve exited with {process.returncode}; its log ends:\n"
                    + self._log_tail()
                )
            with contextlib.suppress(httpx.HTTPError):
                return httpx.get(self.http + "/health", timeout=1).status_code == 200
            return False

        try:
            eventually_blocking(healthy, timeout_s=STARTUP_TIMEOUT_S, interval_s=0.1)
        except AssertionError as err:
            raise RuntimeError("posbon serve did not become healthy in time") from err

    def kill_hard(self) -> None:
        assert self.process is not None
        self.process.kill()  # SIGKILL: no shutdown hooks, no flushing
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@contextlib.contextmanager
def running(
    data_dir: Path, database_url: str = "", env: Mapping[str, str] | None = None
) -> Iterator[ServerProcess]:
    server = ServerProcess(data_dir, database_url, env)
    server.start()
    try:
        yield server
    finally:
        server.stop()
