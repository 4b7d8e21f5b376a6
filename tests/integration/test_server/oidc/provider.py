"""The local OpenID provider of the single sign-on tests: tests/oidc_provider/provider.mjs (the
npm `oidc-provider` package) as its own `node` process on 127.0.0.1, and a person's way through
it with a plain HTTP client (the browser test clicks through the same pages in Chromium).

The provider's packages are installed by `npm ci --prefix tests/oidc_provider` (`make setup`);
without them these tests skip locally and fail in CI.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Final
from urllib.parse import urljoin

import httpx
import msgspec
import pytest

from tests.eventually import eventually

PROVIDER_DIR: Final = Path(__file__).parents[3] / "oidc_provider"
CLIENT_ID: Final = "posbon"
CLIENT_SECRET: Final = "a client secret the tests share with their provider"
START_TIMEOUT_S: Final = 30.0
STOP_TIMEOUT_S: Final = 10.0
MAX_REDIRECTS: Final = 10
_FORM_ACTION: Final = re.compile(r'<form[^>]*action="([^"]+)"')


class Person(msgspec.Struct, frozen=True):
    groups: Sequence[str]
    name: str = ""


class Provider(msgspec.Struct, frozen=True):
    issuer: str
    log: Path


def need_node_modules() -> None:
    """Skip (locally) or fail (in CI) when the provider cannot run here."""
    missing = shutil.which("node") is None or not (PROVIDER_DIR / "node_modules").is_dir()
    if not missing:
        return
    setup = "npm ci --prefix tests/oidc_provider --no-audit --no-fund"
    if os.environ.get("CI"):
        pytest.fail(f"CI must install node and the test OpenID provider ({setup})")
    pytest.skip(f"the test OpenID provider is not installed ({setup})")


@contextlib.asynccontextmanager
async def running_provider(
    port: int,
    redirect_uri: str,
    people: Mapping[str, Person],
    log: Path,
    claims_in: str = "id_token",
) -> AsyncIterator[Provider]:
    """provider.mjs on `port`, ready (it answers its discovery document), stopped after;
    `claims_in` "userinfo" keeps the groups out of the ID token."""
    need_node_modules()
    issuer = f"http://127.0.0.1:{port}"
    users = json.dumps({name: msgspec.to_builtins(person) for name, person in people.items()})
    command = ["node", "provider.mjs", str(port), CLIENT_ID, CLIENT_SECRET, redirect_uri, users]
    command.append(claims_in)
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=PROVIDER_DIR, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        await eventually(lambda: _answers(issuer, process, log), timeout_s=START_TIMEOUT_S)
        yield Provider(issuer, log)
    finally:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _answers(issuer: str, process: subprocess.Popen[bytes], log: Path) -> bool:
    if process.poll() is not None:
        pytest.fail(f"the OpenID provider stopped: {log.read_text(errors='replace')}")
    async with httpx.AsyncClient() as client:
        try:
            response = await client.get(issuer + "/.well-known/openid-configuration")
        except httpx.TransportError:
            return False
    return response.status_code == 200


async def through_provider(
    browser: httpx.AsyncClient, posbon: str, username: str
) -> httpx.Response:
    """A person's sign-in with a plain HTTP client as the browser: Posbon's login, the
    provider's form (the username, any password), back to Posbon's callback, whose answer is
    returned (not followed)."""
    return await browser.get(await to_callback(browser, posbon, username))


async def to_callback(browser: httpx.AsyncClient, posbon: str, username: str) -> str:
    """The way of `through_provider` up to Posbon's callback: the URL the provider sends the
    browser back to, with its code and state."""
    response = await browser.get(posbon + "/auth/oidc/login")
    assert response.status_code == 302, response.text
    response = await _follow(browser, response, stop_at=posbon + "/")
    form = _FORM_ACTION.search(response.text)
    assert form is not None, response.text
    response = await browser.post(
        urljoin(str(response.url), form.group(1)),
        data={"prompt": "login", "login": username, "password": "any password"},
    )
    response = await _follow(browser, response, stop_at=posbon + "/")
    callback = response.headers["location"]
    assert callback.startswith(posbon + "/auth/oidc/callback?")
    return str(callback)


async def _follow(
    browser: httpx.AsyncClient, response: httpx.Response, *, stop_at: str
) -> httpx.Response:
    """Follow redirects at the provider; stop at one that leads back to Posbon."""
    for _ in range(MAX_REDIRECTS):
        if not response.is_redirect:
            return response
        target = urljoin(str(response.url), response.headers["location"])
        if target.startswith(stop_at):
            return response
        response = await browser.get(target)
    raise AssertionError(f"more than {MAX_REDIRECTS} redirects at the provider")
