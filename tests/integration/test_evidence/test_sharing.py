"""Share links end to end over real HTTP: made by staff, opened by an outside party with no Posbon
token, played with Range, downloaded, revoked (410), expired (410), every use on custody."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import httpx
import pytest

from server.auth.schemas import Role
from server.custody import repository as custody_log
from server.custody.schemas import CustodyFacts, CustodyKind
from server.db import Database
from server.evidence import sharing
from server.settings import Settings
from tests.integration.live import Live
from tests.integration.test_evidence.sharing_helpers import (
    accesses,
    create_share,
    custody,
    in_days,
    incident_with,
    restrict,
    shared,
    uploaded,
)

pytestmark = pytest.mark.integration
BROWSER_AGENT = "Mozilla/5.0 (prosecutor's laptop)"


async def test_a_view_link_shows_the_page_plays_ranges_and_refuses_downloads(
    live: Live, tmp_path: Path
) -> None:
    recording_id, data = await uploaded(live, tmp_path)
    desk = await live.token(Role.DISPATCHER)
    made = await shared(live, desk, recording_id=recording_id, mode="view")
    path = made["path"]
    assert made["url"] == live.http + path
    assert made["share"]["state"] == "active"
    assert made["share"]["recordings"] == [recording_id]

    agent = {"User-Agent": BROWSER_AGENT}
    async with httpx.AsyncClient(base_url=live.http, headers=agent) as outsider:
        page = await outsider.get(path)
        part = await outsider.get(
            f"{path}/files/{recording_id}", headers={"Range": "bytes=1000-1999"}
        )
        whole = await outsider.get(f"{path}/files/{recording_id}")
        download = await outsider.get(f"{path}/files/{recording_id}", params={"download": 1})
        other = await outsider.get(f"{path}/files/not-in-this-share")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert hashlib.sha256(data).hexdigest() in page.text
    assert f'src="{path}/files/{recording_id}"' in page.text
    assert "Prosecutor A. Karimov" in page.text
    assert "case 12/345" not in page.text  # the staff's reason stays with the staff
    assert (part.status_code, part.content) == (206, data[1000:2000])
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(data)}"
    assert part.headers["content-disposition"].startswith("inline")
    assert part.headers["content-type"] == "video/mp4"
    assert (whole.status_code, whole.content) == (200, data)
    assert download.status_code == 403
    assert download.json()["code"] == "share_view_only"
    assert other.status_code == 404

    log = await custody(live, recording_id)
    shares = [entry for entry in log if entry["kind"] == "shared"]
    assert len(shares) == 1
    assert shares[0]["actor"].startswith("dispatcher:")
    assert shares[0]["data"]["recipient"] == "Prosecutor A. Karimov"
    assert shares[0]["data"]["mode"] == "view"
    assert shares[0]["data"]["share_id"] == made["share"]["id"]
    assert path.rsplit("/", 1)[1] not in str(log)  # the token is never on the log
    used = [entry for entry in log if entry["kind"] == "share_accessed"]
    assert accesses(log) == [
        ("page", "served"),
        ("playback", "served"),
        ("playback", "served"),
        ("download", "view_only"),
    ]
    assert {entry["data"]["address"] for entry in used} == {"127.0.0.1"}
    assert {entry["data"]["user_agent"] for entry in used} == {BROWSER_AGENT}
    assert used[1]["data"]["bytes"] == [1000, 1999]
    assert used[2]["data"]["bytes"] == [0, len(data) - 1]

    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(desk)) as staff:
        listed = (
            await staff.get("/api/v1/evidence/shares", params={"recording_id": recording_id})
        ).json()
    assert [(share["id"], share["access_count"]) for share in listed] == [(made["share"]["id"], 3)]
    assert "token" not in str(listed).lower()


async def test_an_incident_share_covers_its_recordings_as_downloads(
    live: Live, tmp_path: Path
) -> None:
    first, first_data = await uploaded(live, tmp_path, "first.mp4")
    second, _ = await uploaded(live, tmp_path, "second.mp4")
    admin = await live.token(Role.ADMIN)
    incident_id = await incident_with(live, admin, [first, second])
    made = await shared(live, admin, incident_id=incident_id, mode="download")
    later, _ = await uploaded(live, tmp_path, "later.mp4")
    await incident_with(live, admin, [])  # another incident: nothing of it is shared
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as staff:
        await staff.post(f"/api/v1/recordings/{later}/links", json={"incident_id": incident_id})

    path = made["path"]
    async with httpx.AsyncClient(base_url=live.http) as outsider:
        page = await outsider.get(path)
        got = await outsider.get(f"{path}/files/{first}", params={"download": 1})
        late = await outsider.get(f"{path}/files/{later}")

    assert made["share"]["recordings"] == [first, second]
    assert page.status_code == 200
    assert page.text.count('class="item"') == 2
    assert f'href="{path}/files/{first}?download=1"' in page.text
    assert "<video" not in page.text
    assert (got.status_code, got.content) == (200, first_data)
    assert got.headers["content-disposition"] == 'attachment; filename="first.mp4"'
    assert late.status_code == 404  # linked after the share was made: not part of it
    assert accesses(await custody(live, first)) == [("page", "served"), ("download", "served")]
    assert accesses(await custody(live, second)) == [("page", "served")]
    assert [entry["kind"] for entry in await custody(live, later)][-1] == "linked"


async def test_a_revoked_link_answers_410_and_a_second_revoke_changes_nothing(
    live: Live, tmp_path: Path
) -> None:
    recording_id, _ = await uploaded(live, tmp_path)
    desk = await live.token(Role.DISPATCHER)
    made = await shared(live, desk, recording_id=recording_id)
    share_id, path = made["share"]["id"], made["path"]
    revoke_path = f"/api/v1/evidence/shares/{share_id}/revoke"
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(desk)) as staff:
        revoked = await staff.post(revoke_path, json={"reason": "sent to the wrong office"})
        again = await staff.post(revoke_path, json={"reason": "retry"})
        unknown = await staff.post("/api/v1/evidence/shares/999/revoke", json={"reason": "x"})
    async with httpx.AsyncClient(base_url=live.http) as outsider:
        page = await outsider.get(path, headers={"Accept-Language": "ru"})
        played = await outsider.get(f"{path}/files/{recording_id}")

    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["state"] == "revoked"
    assert revoked.json()["revoke_reason"] == "sent to the wrong office"
    assert again.json()["revoke_reason"] == "sent to the wrong office"
    assert unknown.status_code == 404
    assert page.status_code == 410
    assert page.headers["content-type"].startswith("text/html")
    assert 'data-code="share_revoked"' in page.text
    assert "Эта ссылка отозвана" in page.text
    assert played.status_code == 410
    assert played.json()["code"] == "share_revoked"
    log = await custody(live, recording_id)
    assert [entry["kind"] for entry in log].count("share_revoked") == 1
    assert accesses(log) == [("page", "share_revoked"), ("file", "share_revoked")]


async def test_an_expired_link_answers_410_when_the_clock_passes_its_expiry(
    live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recording_id, _ = await uploaded(live, tmp_path)
    admin = await live.token(Role.ADMIN)
    expiry = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    made = await shared(live, admin, recording_id=recording_id, expires_at=expiry.isoformat())
    path = made["path"]
    async with httpx.AsyncClient(base_url=live.http) as outsider:
        before = await outsider.get(path)
        monkeypatch.setattr(sharing, "utc_now", lambda: expiry + dt.timedelta(seconds=1))
        page = await outsider.get(path)
        played = await outsider.get(f"{path}/files/{recording_id}")
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as staff:
        listed = (await staff.get("/api/v1/evidence/shares")).json()

    assert before.status_code == 200
    assert (page.status_code, 'data-code="share_expired"' in page.text) == (410, True)
    assert (played.status_code, played.json()["code"]) == (410, "share_expired")
    assert [share["state"] for share in listed] == ["expired"]
    assert accesses(await custody(live, recording_id)) == [
        ("page", "served"),
        ("page", "share_expired"),
        ("file", "share_expired"),
    ]


async def test_an_unknown_link_is_404_on_the_page_and_on_the_file(live: Live) -> None:
    unknown = "/share/" + "A" * 43
    async with httpx.AsyncClient(base_url=live.http) as outsider:
        page = await outsider.get(unknown)
        malformed = await outsider.get("/share/not-a-token")
        played = await outsider.get(unknown + "/files/some-recording")
    assert page.status_code == 404
    assert 'data-code="share_not_found"' in page.text
    assert malformed.status_code == 404
    assert (played.status_code, played.json()["code"]) == (404, "share_not_found")


async def test_a_share_is_refused_when_it_cannot_be_made(live: Live, tmp_path: Path) -> None:
    recording_id, _ = await uploaded(live, tmp_path)
    desk = await live.token(Role.DISPATCHER)
    camera = await live.token(Role.CAMERA)
    admin = await live.token(Role.ADMIN)
    empty_incident = await incident_with(live, admin, [])
    both = await create_share(live, desk, recording_id=recording_id, incident_id=empty_incident)
    neither = await create_share(live, desk)
    too_long = await create_share(live, desk, recording_id=recording_id, expires_at=in_days(91))
    past = await create_share(live, desk, recording_id=recording_id, expires_at=in_days(-1))
    empty = await create_share(live, desk, incident_id=empty_incident)
    unknown = await create_share(live, desk, recording_id="no-such-recording")
    bad_pin = await create_share(live, desk, recording_id=recording_id, pin="12a4")
    by_camera = await create_share(live, camera, recording_id=recording_id)

    assert (both.status_code, both.json()["code"]) == (400, "share_target")
    assert (neither.status_code, neither.json()["code"]) == (400, "share_target")
    assert (too_long.status_code, too_long.json()["code"]) == (400, "share_expiry")
    assert (past.status_code, past.json()["code"]) == (400, "share_expiry")
    assert (empty.status_code, empty.json()["code"]) == (409, "share_nothing_to_share")
    assert unknown.status_code == 404
    assert bad_pin.status_code == 400
    assert by_camera.status_code == 403
    assert [entry["kind"] for entry in await custody(live, recording_id)] == [
        "received",
        "verified",
    ]


async def test_only_hashes_of_the_token_and_the_pin_are_stored(
    live: Live, db: Database, tmp_path: Path
) -> None:
    recording_id, _ = await uploaded(live, tmp_path)
    made = await shared(live, await live.token(Role.ADMIN), recording_id=recording_id, pin="4321")
    token = made["path"].rsplit("/", 1)[1]
    rows = await db.fetch("SELECT * FROM evidence_shares")
    assert len(rows) == 1
    assert rows[0]["token_sha256"] == hashlib.sha256(token.encode()).hexdigest()
    assert str(rows[0]["pin_hash"]).startswith("scrypt$")
    stored = str(rows) + str(await db.fetch("SELECT * FROM custody"))
    assert token not in stored
    # Not as a value: a hex digest may hold these four digits by chance (about 1 in 1,000).
    assert re.search(r"(?<![0-9a-f])4321(?![0-9a-f])", stored) is None


async def test_a_file_deleted_by_retention_leaves_the_page_readable(
    live: Live, db: Database, settings: Settings, tmp_path: Path
) -> None:
    kept, _ = await uploaded(live, tmp_path, "kept.mp4")
    gone, gone_data = await uploaded(live, tmp_path, "gone.mp4")
    admin = await live.token(Role.ADMIN)
    incident_id = await incident_with(live, admin, [kept, gone])
    path = (await shared(live, admin, incident_id=incident_id))["path"]
    digest = hashlib.sha256(gone_data).hexdigest()
    stored = [p for p in (Path(settings.data_dir) / "evidence").rglob(digest) if p.is_file()]
    assert len(stored) == 1
    stored[0].unlink()  # what retention deletes: the bytes; the metadata stays
    async with httpx.AsyncClient(base_url=live.http) as outsider:
        missing = await outsider.get(f"{path}/files/{gone}")
        facts = CustodyFacts(
            recording_id=gone,
            at=dt.datetime.now(dt.UTC),
            actor="system:retention",
            kind=CustodyKind.DELETED,
            reason="retention ended",
        )
        async with db.write():
            await custody_log.append(db, facts)
        page = await outsider.get(path)
        deleted = await outsider.get(f"{path}/files/{gone}")
        still = await outsider.get(f"{path}/files/{kept}", headers={"Range": "bytes=0-9"})

    assert (missing.status_code, missing.json()["code"]) == (404, "evidence_missing")
    assert page.status_code == 200
    assert page.text.count('class="item"') == 2
    assert page.text.count("This file is no longer available.") == 1
    assert f"{path}/files/{gone}" not in page.text
    assert (deleted.status_code, deleted.json()["code"]) == (410, "evidence_deleted")
    assert still.status_code == 206


async def test_a_dispatcher_shares_only_what_their_role_may_open(
    live: Live, tmp_path: Path
) -> None:
    recording_id, _ = await uploaded(live, tmp_path)
    desk = await live.token(Role.DISPATCHER)
    admin = await live.token(Role.ADMIN)
    before = await shared(live, desk, recording_id=recording_id)
    await restrict(live, recording_id)
    refused = await create_share(live, desk, recording_id=recording_id)
    by_admin = await create_share(live, admin, recording_id=recording_id)
    revoke_path = f"/api/v1/evidence/shares/{before['share']['id']}/revoke"
    async with httpx.AsyncClient(base_url=live.http) as client:
        seen_by_desk = (
            await client.get("/api/v1/evidence/shares", headers=live.headers(desk))
        ).json()
        seen_by_admin = (
            await client.get("/api/v1/evidence/shares", headers=live.headers(admin))
        ).json()
        revoke_by_desk = await client.post(
            revoke_path, json={"reason": "x"}, headers=live.headers(desk)
        )

    assert (refused.status_code, refused.json()["code"]) == (403, "recording_restricted")
    assert by_admin.status_code == 201
    assert seen_by_desk == []
    assert len(seen_by_admin) == 2
    assert revoke_by_desk.status_code == 403
