"""`posbon serve --tls-cert C --tls-key K`: HTTPS and wss on the HTTP port, with a certificate
made in the test and clients that trust it alone. Every answer over TLS carries
Strict-Transport-Security; a plain-HTTP request to that port gets no answer in plain HTTP. A
missing key or an unreadable pair stops the start with one line naming the settings."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Final

import httpx
import pytest

from tests.acceptance.clients import say_hello
from tests.acceptance.support import POSBON, REPO_ROOT, ServedPosbon, child_environment
from tests.certs import self_signed

pytestmark = pytest.mark.acceptance

HSTS_MAX_AGE_S: Final = 600
REFUSED_STATUS: Final = 2


async def test_https_and_wss_on_the_http_port_with_hsts(tmp_path: Path) -> None:
    node = ServedPosbon(
        tmp_path / "node",
        tls=self_signed(tmp_path / "tls"),
        args=["--hsts-max-age-s", str(HSTS_MAX_AGE_S)],
        name="serve --tls-cert",
    )
    admin = node.token("admin")  # before the start: the CLI creates the schema
    with node:
        assert node.http.startswith("https://")
        node.wait_for_log(f"HTTP and WebSockets on https://127.0.0.1:{node.ports.http}")
        async with node.api() as anonymous:
            health = await anonymous.get("/health")
        async with node.api(admin) as http:
            tokens = await http.get("/api/v1/tokens")
            refused = await http.get("/api/v1/tokens", headers={"Authorization": "Bearer pb_x"})
        socket, welcome = await say_hello(node, "/ws/dispatch", admin)
        await socket.close()
        with pytest.raises(httpx.HTTPError):  # TLS only: plain HTTP gets no HTTP answer
            httpx.get(f"http://127.0.0.1:{node.ports.http}/health", timeout=5.0)
        node.assert_clean_exit()

    hsts = f"max-age={HSTS_MAX_AGE_S}"
    assert health.status_code == 200
    assert health.headers["strict-transport-security"] == hsts
    assert tokens.status_code == 200, tokens.text
    assert tokens.headers["strict-transport-security"] == hsts
    assert refused.status_code == 401  # errors too: the header is on every answer over TLS
    assert refused.headers["strict-transport-security"] == hsts
    assert welcome["type"] == "welcome"


def _serve_refused(tmp_path: Path, *flags: str) -> str:
    """`posbon serve FLAGS` must refuse to start: its one stderr line."""
    done = subprocess.run(
        [str(POSBON), "serve", "--data-dir", str(tmp_path / "data"), "--http-port", "0", *flags],
        env=child_environment({}),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == REFUSED_STATUS, done.stderr
    return done.stderr.strip()


def test_a_certificate_without_its_key_is_refused_at_start(tmp_path: Path) -> None:
    pair = self_signed(tmp_path / "tls")
    said = _serve_refused(tmp_path, "--tls-cert", str(pair.cert))
    assert said.startswith("posbon: --tls-key / POSBON_TLS_KEY is ''"), said
    assert "--tls-cert" in said


def test_an_unreadable_or_mismatched_pair_is_refused_at_start(tmp_path: Path) -> None:
    pair = self_signed(tmp_path / "tls")
    other = self_signed(tmp_path / "tls", name="other")
    missing = _serve_refused(
        tmp_path, "--tls-cert", str(tmp_path / "gone.pem"), "--tls-key", str(pair.key)
    )
    mismatched = _serve_refused(tmp_path, "--tls-cert", str(pair.cert), "--tls-key", str(other.key))
    for said in (missing, mismatched):
        assert said.startswith("posbon: --tls-cert / POSBON_TLS_CERT and --tls-key"), said
        assert "cannot load" in said
    assert "gone.pem" in missing
