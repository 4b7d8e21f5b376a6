"""People and their sessions for the accounts tests: a user made through the service (the CLI
has its own test), sign-ins over real HTTP, and the cookies a browser would keep."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pyotp
from websockets.asyncio.client import ClientConnection, connect

from server.accounts import service
from server.accounts.service import NewSecret
from server.auth.cookies import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from server.auth.schemas import Role
from tests.integration.live import Live

PASSWORD = "correct horse battery"


async def make_user(live: Live, username: str, role: Role = Role.DISPATCHER) -> NewSecret:
    return await service.create_user(
        live.state.db, live.state.settings, username=username, password=PASSWORD, role=role
    )


def code_for(user: NewSecret, *, steps_ahead: int = 0) -> str:
    assert user.totp_secret is not None
    return pyotp.TOTP(user.totp_secret).at(time.time() + 30 * steps_ahead)


async def sign_in(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD, code: str | None = None
) -> httpx.Response:
    body: dict[str, Any] = {"username": username, "password": password}
    if code is not None:
        body["code"] = code
    return await client.post("/api/v1/session", json=body)


class Session:
    """What a browser keeps after signing in: the two cookies."""

    def __init__(self, answer: httpx.Response) -> None:
        assert answer.status_code == 201, answer.text
        self.secret = answer.cookies[SESSION_COOKIE]
        self.csrf = answer.cookies[CSRF_COOKIE]
        self.body = answer.json()

    @property
    def cookie_header(self) -> dict[str, str]:
        return {"Cookie": f"{SESSION_COOKIE}={self.secret}; {CSRF_COOKIE}={self.csrf}"}

    @property
    def unsafe_headers(self) -> dict[str, str]:
        return {**self.cookie_header, CSRF_HEADER: self.csrf}


async def signed_in(live: Live, user: NewSecret, *, steps_ahead: int = 0) -> Session:
    """A new session; a second one of the same person needs the code of another step (a code
    is accepted once): `steps_ahead=1`, the code a phone shows a few seconds later."""
    code = code_for(user, steps_ahead=steps_ahead)
    async with httpx.AsyncClient(base_url=live.http) as client:
        return Session(await sign_in(client, user.account.username, code=code))


async def cookie_socket(
    live: Live, session: Session, *, origin: str | None = None
) -> tuple[ClientConnection, dict[str, Any]]:
    """/ws/dispatch as the page opens it: the cookie on the upgrade, an empty hello token."""
    socket = await connect(
        live.ws + "/ws/dispatch",
        origin=origin or live.http,  # type: ignore[arg-type]
        additional_headers=session.cookie_header,
    )
    await socket.send(json.dumps({"type": "hello", "token": ""}))
    return socket, json.loads(await socket.recv())
