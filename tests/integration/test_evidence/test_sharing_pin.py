"""A share link with a PIN: the form, the cookie a right PIN earns, and the lock after wrong ones;
every try on the custody log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from server.auth.schemas import Role
from server.evidence import sharing
from server.settings import Settings
from tests.integration.live import Live
from tests.integration.test_evidence.sharing_helpers import accesses, custody, shared, uploaded

pytestmark = pytest.mark.integration
PIN = "482916"


async def _pin(outsider: httpx.AsyncClient, path: str, pin: str) -> httpx.Response:
    return await outsider.post(f"{path}/pin", data={"pin": pin})


async def test_the_right_pin_earns_a_strict_cookie_for_that_link_only(
    live: Live, tmp_path: Path
) -> None:
    recording_id, data = await uploaded(live, tmp_path)
    made = await shared(live, await live.token(Role.ADMIN), recording_id=recording_id, pin=PIN)
    path = made["path"]
    file_path = f"{path}/files/{recording_id}"
    async with httpx.AsyncClient(base_url=live.http) as outsider:
        form = await outsider.get(path)
        refused = await outsider.get(file_path)
        wrong = await _pin(outsider, path, "000000")
        right = await _pin(outsider, path, PIN)
        page = await outsider.get(path)
        played = await outsider.get(file_path, headers={"Range": "bytes=0-99"})

    assert form.status_code == 200
    assert 'name="pin"' in form.text
    assert "SHA-256" not in form.text  # nothing of the evidence before the PIN
    assert (refused.status_code, refused.json()["code"]) == (403, "share_pin_required")
    assert wrong.status_code == 403
    assert "Tries left before the link is locked: 4." in wrong.text
    assert right.status_code == 303
    assert right.headers["location"] == path
    cookie = right.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    assert f"Path={path}" in cookie
    assert PIN not in cookie
    assert page.status_code == 200
    assert "<video" in page.text
    assert (played.status_code, played.content) == (206, data[:100])
    assert accesses(await custody(live, recording_id)) == [
        ("file", "pin_required"),
        ("pin", "pin_wrong"),
        ("pin", "pin_accepted"),
        ("page", "served"),
        ("playback", "served"),
    ]


async def test_a_cookie_forged_or_from_another_link_admits_nothing(
    live: Live, tmp_path: Path
) -> None:
    recording_id, _ = await uploaded(live, tmp_path)
    admin = await live.token(Role.ADMIN)
    first = (await shared(live, admin, recording_id=recording_id, pin=PIN))["path"]
    second = (await shared(live, admin, recording_id=recording_id, pin=PIN))["path"]
    async with httpx.AsyncClient(base_url=live.http) as outsider:
        right = await _pin(outsider, first, PIN)
        value = right.cookies["posbon_share"]
        elsewhere = await outsider.get(
            f"{second}/files/{recording_id}", headers={"Cookie": f"posbon_share={value}"}
        )
        expires, _, mac = value.partition(".")
        forged = f"{int(expires) + 3600}.{mac}"
        stretched = await outsider.get(
            f"{first}/files/{recording_id}", headers={"Cookie": f"posbon_share={forged}"}
        )
    assert elsewhere.status_code == 403
    assert stretched.status_code == 403


async def test_wrong_pins_lock_the_link_until_the_lock_ends(
    live: Live, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recording_id, _ = await uploaded(live, tmp_path)
    made = await shared(live, await live.token(Role.ADMIN), recording_id=recording_id, pin=PIN)
    path = made["path"]
    tries = settings.share_pin_failures_max
    async with httpx.AsyncClient(base_url=live.http) as outsider:
        wrong = [await _pin(outsider, path, "111111") for _ in range(tries)]
        right_while_locked = await _pin(outsider, path, PIN)
        page_while_locked = await outsider.get(path)
        later = sharing.utc_now() + dt.timedelta(seconds=settings.share_pin_lock_s + 1)
        monkeypatch.setattr(sharing, "utc_now", lambda: later)
        right_after = await _pin(outsider, path, PIN)

    assert [response.status_code for response in wrong] == [403] * (tries - 1) + [429]
    assert 'data-code="share_locked"' in wrong[-1].text
    assert right_while_locked.status_code == 429
    assert page_while_locked.status_code == 429
    assert right_after.status_code == 303
    async with httpx.AsyncClient(
        base_url=live.http, headers=live.headers(await live.token(Role.ADMIN))
    ) as staff:
        listed = (await staff.get("/api/v1/evidence/shares")).json()
    assert listed[0]["state"] == "active"
    assert accesses(await custody(live, recording_id)) == [
        *[("pin", "pin_wrong")] * (tries - 1),
        ("pin", "locked"),
        ("pin", "locked"),
        ("pin", "pin_accepted"),
    ]
