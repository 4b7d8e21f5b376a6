"""`posbon user …` as an operator runs it, on a real data directory (both engines): the TOTP
secret printed once, case-insensitive names, disable ending the sessions, a new secret and a new
password."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys

import httpx
import pyotp
import pytest

from server.db import Database
from server.settings import Settings
from tests.eventually import eventually
from tests.integration.live import serve
from tests.integration.test_server.accounts.support import Session, sign_in

pytestmark = pytest.mark.integration

PASSWORD = "night shift 0300"
SECRET_LINE = re.compile(r"^secret: ([A-Z2-7]+)$", re.MULTILINE)


def posbon(settings: Settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    flags = ["--data-dir", settings.data_dir]
    if settings.database_url:
        flags += ["--database-url", settings.database_url]
    return subprocess.run(
        [sys.executable, "-m", "server", *args, *flags],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _secret(printed: str) -> str:
    found = SECRET_LINE.search(printed)
    assert found is not None, printed
    return found.group(1)


async def beside(
    settings: Settings, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """A command run beside the in-process server, off its event loop: the server may be in a
    write (a token's last use) that must commit before the command's write can begin."""
    return await asyncio.to_thread(posbon, settings, *args, stdin=stdin)


async def test_user_commands_from_create_to_disable(settings: Settings, db: Database) -> None:
    made = posbon(
        settings,
        *("user", "create", "--username", "Sardor", "--role", "dispatcher"),
        *("--name", "Sardor Aliev", "--district", "North", "--password-stdin"),
        stdin=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    assert "otpauth://totp/Posbon:sardor?" in made.stdout
    secret = _secret(made.stdout)
    taken = posbon(
        settings,
        *("user", "create", "--username", "SARDOR", "--role", "admin", "--password-stdin"),
        stdin=PASSWORD + "\n",
    )
    assert taken.returncode != 0
    assert "already a user named sardor" in taken.stderr
    listed = posbon(settings, "user", "list")
    line = "\tsardor\tdispatcher\tlocal\tactive\tTOTP\tNorth\tSardor Aliev"
    assert line in listed.stdout

    async with serve(settings, db) as live, httpx.AsyncClient(base_url=live.http) as client:
        answer = await sign_in(client, "sardor", PASSWORD, pyotp.TOTP(secret).now())
        session = Session(answer)
        assert session.body["user"]["scope"] == {"districts": ["North"]}
        client.cookies.clear()
        assert (await client.get("/api/v1/session", headers=session.cookie_header)).is_success

        reset = await beside(settings, "user", "reset-totp", "sardor")
        assert reset.returncode == 0, reset.stderr
        new_secret = _secret(reset.stdout)
        assert new_secret != secret
        new_password = await beside(
            settings, "user", "set-password", "Sardor", "--password-stdin", stdin="a new one 42\n"
        )
        assert new_password.returncode == 0, new_password.stderr
        old = await sign_in(client, "sardor", PASSWORD, pyotp.TOTP(secret).now())
        assert old.status_code == 401
        again = await sign_in(client, "sardor", "a new one 42", pyotp.TOTP(new_secret).now())
        assert again.status_code == 201, again.text

        disabled = await beside(settings, "user", "disable", "sardor")
        assert disabled.returncode == 0, disabled.stderr
        assert "2 sessions ended" in disabled.stdout

        async def refused() -> bool:
            # The CLI reaches no server's bus: the one-second revocation check finds it.
            after = await client.get("/api/v1/session", headers=session.cookie_header)
            return after.status_code == 401

        await eventually(refused, timeout_s=5.0)


async def test_a_short_password_is_refused(settings: Settings, db: Database) -> None:
    refused = posbon(
        settings,
        *("user", "create", "--username", "t", "--role", "admin", "--password-stdin"),
        stdin="short\n",
    )
    assert refused.returncode != 0
    assert "at least 8 characters" in refused.stderr
