"""`GET /api/v1/tokens` and `posbon token list`: every token with its kind, scope, last use and
whether it is revoked; `kind` and `revoked` narrow the list; a bad filter is a 400."""

from __future__ import annotations

import argparse

import httpx
import pytest

from server.auth import service
from server.auth.cli import run
from server.auth.schemas import Role, Scope
from server.auth.service import create_token, revoke_token
from server.settings import Settings
from tests.eventually import eventually
from tests.integration.live import Live

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def fresh_memory_of_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a new process remembers of token uses: nothing. (Each engine's database numbers its
    tokens from 1 again, and this process would otherwise think it wrote token 2's use already.)"""
    monkeypatch.setattr(service, "_uses", service._Uses(service.TOKEN_CACHE_ENTRIES))


async def test_the_list_shows_last_use_and_filters_by_kind_and_revocation(
    live: Live, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    db = live.state.db
    admin = await create_token(db, "ops", Role.ADMIN)
    north = Scope(districts=frozenset({"North"}))
    used = await create_token(db, "north-desk", Role.DISPATCHER, scope=north)
    gone = await create_token(db, "old-tablet", Role.CAMERA)
    await revoke_token(db, gone.id)

    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin.token)) as http:
        as_dispatcher = live.headers(used.token)
        assert (await http.get("/api/v1/alerts", headers=as_dispatcher)).status_code == 200

        async def listed(**filters: str) -> list[dict[str, object]]:
            answer = await http.get("/api/v1/tokens", params=filters)
            assert answer.status_code == 200, answer.text
            page: list[dict[str, object]] = answer.json()
            return page

        async def noted() -> dict[str, object]:
            (row,) = [row for row in await listed() if row["id"] == used.id]
            assert row["last_used_at"] is not None
            return row

        row = await eventually(noted)  # written in the background, not by the request
        live_ones = await listed(revoked="false")
        revoked = await listed(revoked="true")
        sessions = await listed(kind="session")
        bad = await http.get("/api/v1/tokens", params={"kind": "password"})

    assert row["kind"] == "token"
    assert row["scope"] == {"districts": ["North"]}
    assert {token["id"] for token in live_ones} == {admin.id, used.id}
    assert [token["id"] for token in revoked] == [gone.id]
    assert sessions == []
    assert bad.status_code == 400

    capsys.readouterr()

    args = argparse.Namespace(action="list", kind=None, revoked="true")
    assert await run(args, settings) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "ROLE", "KIND", "SCOPE", "LAST", "USED", "REVOKED"]
    cells = [str(gone.id), "old-tablet", "camera", "token", "everywhere", "never", "yes"]
    assert lines[1].split() == cells
    assert len(lines) == 2
