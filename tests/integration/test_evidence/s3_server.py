"""An S3-compatible server for the bucket tests: moto's server, as its own process on a loopback
port, spoken to over HTTP with signed requests exactly as a MinIO or AWS endpoint would be. (No
MinIO or Ceph server installs from the registries this project may use.)"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from collections.abc import Iterator

from minio import Minio

from tests.conftest import free_port
from tests.eventually import eventually_blocking

ACCESS_KEY = "posbon-test"
SECRET_KEY = "posbon-test-secret"
START_TIMEOUT_S = 30.0


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


@contextlib.contextmanager
def running_s3_server() -> Iterator[str]:
    """http://127.0.0.1:PORT of a fresh, empty S3 server, stopped on exit."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def started() -> bool:
            if process.poll() is not None:
                raise RuntimeError("the S3 server exited at start")
            return _answers(port)

        eventually_blocking(started, timeout_s=START_TIMEOUT_S, interval_s=0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def client(endpoint: str) -> Minio:
    return Minio(
        endpoint.removeprefix("http://"),
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        secure=False,
        region="us-east-1",
    )
