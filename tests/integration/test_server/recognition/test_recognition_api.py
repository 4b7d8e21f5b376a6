"""The recognition registries over real HTTP on both engines: cameras, watchlists, plate lists.

Nothing here needs the models: photos and frames are in test_recognition_alerts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.auth.schemas import Role
from server.db import Database
from server.recognition import crops
from tests.integration.live import Live

pytestmark = pytest.mark.integration


async def _client(live: Live, role: Role = Role.ADMIN) -> httpx.AsyncClient:
    token = await live.token(role)
    return httpx.AsyncClient(base_url=live.http, headers=live.headers(token))


async def _created(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_a_camera_is_registered_changed_and_removed(live: Live) -> None:
    async with await _client(live) as admin:
        site = await _created(
            admin, "/api/v1/sites", {"name": "Bank A", "lat": 39.65, "lon": 66.97}
        )
        camera = await _created(
            admin,
            "/api/v1/cameras",
            {"name": "Bank A entrance", "site_id": site["id"], "kind": "face", "cooldown_s": 30},
        )
        assert camera["pull"] is False
        assert (camera["kind"], camera["cooldown_s"], camera["face_threshold"]) == (
            "face",
            30,
            None,
        )
        changed = await admin.patch(
            f"/api/v1/cameras/{camera['id']}", json={"kind": "both", "face_threshold": 0.6}
        )
        assert changed.status_code == 200, changed.text
        assert (changed.json()["kind"], changed.json()["face_threshold"]) == ("both", 0.6)
        status = await admin.get(f"/api/v1/cameras/{camera['id']}/status")
        assert status.json() == {
            "camera_id": camera["id"],
            "name": "Bank A entrance",
            "status": None,
        }
        assert (await admin.delete(f"/api/v1/cameras/{camera['id']}")).status_code == 204
        missing = await admin.get(f"/api/v1/cameras/{camera['id']}")
        assert missing.status_code == 404


async def test_a_stream_password_is_never_shown(live: Live) -> None:
    async with await _client(live) as admin:
        camera = await _created(
            admin,
            "/api/v1/cameras",
            {"name": "gate", "url": "rtsp://viewer:s3cret@10.0.0.7/stream1", "enabled": False},
        )
        listed = (await admin.get("/api/v1/cameras")).json()
    assert camera["url"] == "rtsp://viewer:***@10.0.0.7/stream1"
    assert camera["pull"] is True
    assert "s3cret" not in str(listed)


async def test_a_camera_at_an_unknown_site_or_with_a_bad_url_is_refused(live: Live) -> None:
    async with await _client(live) as admin:
        unknown_site = await admin.post("/api/v1/cameras", json={"name": "x", "site_id": 999})
        bad_url = await admin.post("/api/v1/cameras", json={"name": "y", "url": "ftp://cam"})
    assert unknown_site.status_code == 404
    assert bad_url.status_code == 400


async def test_a_watchlist_reports_the_false_alarm_rate_of_its_threshold(live: Live) -> None:
    async with await _client(live) as admin:
        strict = await _created(admin, "/api/v1/watchlists", {"name": "Wanted", "threshold": 0.55})
        loose = await _created(admin, "/api/v1/watchlists", {"name": "Missing", "threshold": 0.35})
        duplicate = await admin.post("/api/v1/watchlists", json={"name": "Wanted"})
    assert strict["false_alarm_rate"] == 0.0
    assert "0.5" in strict["measured_on"]
    assert loose["false_alarm_rate"] is None
    assert duplicate.status_code == 409


async def test_persons_belong_to_their_watchlist(live: Live) -> None:
    async with await _client(live) as admin:
        first = await _created(admin, "/api/v1/watchlists", {"name": "A"})
        second = await _created(admin, "/api/v1/watchlists", {"name": "B"})
        person = await _created(
            admin, f"/api/v1/watchlists/{first['id']}/persons", {"name": "Ali Valiyev"}
        )
        assert (person["photos"], person["negatives"]) == (0, 0)
        elsewhere = await admin.get(f"/api/v1/watchlists/{second['id']}/persons/{person['id']}")
        assert elsewhere.status_code == 404
        renamed = await admin.patch(
            f"/api/v1/watchlists/{first['id']}/persons/{person['id']}", json={"note": "since May"}
        )
        assert renamed.json()["note"] == "since May"
        listing = (await admin.get(f"/api/v1/watchlists/{first['id']}")).json()
        assert listing["persons"] == 1
        gone = await admin.delete(f"/api/v1/watchlists/{first['id']}")
        assert gone.status_code == 204
        assert (await admin.get(f"/api/v1/watchlists/{first['id']}/persons")).status_code == 404


async def test_a_photo_body_that_is_not_an_image_is_refused_before_any_work(live: Live) -> None:
    async with await _client(live) as admin:
        watchlist = await _created(admin, "/api/v1/watchlists", {"name": "W"})
        person = await _created(
            admin, f"/api/v1/watchlists/{watchlist['id']}/persons", {"name": "P"}
        )
        response = await admin.post(
            f"/api/v1/watchlists/{watchlist['id']}/persons/{person['id']}/photos",
            content=b"GIF89a not a jpeg",
            headers={"Content-Type": "image/jpeg"},
        )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_image"


async def test_plates_are_matched_as_written_whatever_the_spacing_and_o_or_zero(live: Live) -> None:
    async with await _client(live) as admin:
        wanted = await _created(admin, "/api/v1/plates/lists", {"name": "Wanted", "kind": "wanted"})
        path = f"/api/v1/plates/lists/{wanted['id']}/entries"
        entry = await _created(admin, path, {"plate": "30 A 123 BC", "note": "stolen"})
        again = await admin.post(path, json={"plate": "30A123BC", "note": "stolen 2026-11-20"})
        assert again.status_code == 200
        assert again.json()["id"] == entry["id"]
        assert entry["folded"] == "30A123BC"
        listed = (await admin.get(path)).json()
        assert [e["note"] for e in listed] == ["stolen 2026-11-20"]
        removed = await admin.delete(f"{path}/{entry['id']}")
        assert removed.status_code == 204
        assert (await admin.get(f"/api/v1/plates/lists/{wanted['id']}")).json()["entries"] == 0


async def test_a_plate_csv_with_a_bad_row_imports_nothing(live: Live) -> None:
    async with await _client(live) as admin:
        site = await _created(admin, "/api/v1/sites", {"name": "Hotel"})
        own = await _created(
            admin,
            "/api/v1/plates/lists",
            {"name": "Hotel staff", "kind": "own", "site_id": site["id"]},
        )
        path = f"/api/v1/plates/lists/{own['id']}/import"
        bad = await admin.post(path, content="plate,note\n30A123BC,manager\n-,nobody\n")
        assert bad.status_code == 422
        assert bad.json()["rejected"][0]["line"] == 3
        good = await admin.post(path, content="plate,note\n30A123BC,manager\n01 777 AAA,\n")
        assert good.status_code == 200, good.text
        assert good.json()["imported"] == 2
        assert (await admin.get(f"/api/v1/plates/lists/{own['id']}")).json()["entries"] == 2


async def test_a_plate_csv_import_over_http_is_audited_as_its_caller(live: Live) -> None:
    async with await _client(live) as admin:
        wanted = await _created(admin, "/api/v1/plates/lists", {"name": "Wanted", "kind": "wanted"})
        path = f"/api/v1/plates/lists/{wanted['id']}/import"
        imported = await admin.post(path, content="plate,note\n30A123BC,stolen\n")
        assert imported.status_code == 200, imported.text
        caller = (await admin.get("/api/v1/session")).json()
        audit = await admin.get("/api/v1/audit", params={"action": "plate_list."})
    assert audit.status_code == 200, audit.text
    actors = {(entry["action"], entry["actor"]) for entry in audit.json()}
    named = f"admin:{caller['name']}"
    assert actors == {("plate_list.create", named), ("plate_list.import", named)}


async def test_a_crop_that_does_not_exist_is_404_and_crews_may_not_look(live: Live) -> None:
    async with await _client(live) as admin:
        missing = await admin.get("/api/v1/recognition/crops/1")
    async with await _client(live, Role.CAMERA) as camera:
        refused = await camera.get("/api/v1/recognition/crops/1")
    assert missing.status_code == 404
    assert refused.status_code == 403


async def test_crops_past_retention_are_deleted_with_their_files(
    db: Database, tmp_path: Path
) -> None:
    root = tmp_path / "crops"
    now = dt.datetime.now(dt.UTC)
    old_at = now - dt.timedelta(days=40)
    old_path = crops.write_file(root, b"old", old_at)
    new_path = crops.write_file(root, b"new", now)
    async with db.write():
        old_id = await crops.insert(db, crops.CropKind.FACE, 1, old_path, None)
        await crops.insert(db, crops.CropKind.PLATE, 1, new_path, None)
        await db.fetch("UPDATE recognition_crops SET created_at = {} WHERE id = {}", old_at, old_id)
    removed = await crops.sweep(db, root, dt.timedelta(days=30), now)
    assert removed == 1
    assert not (root / old_path).exists()
    assert not (root / old_path).parent.exists()  # the whole expired day is gone
    assert (root / new_path).read_bytes() == b"new"
    assert [row["path"] for row in await db.fetch("SELECT path FROM recognition_crops")] == [
        new_path
    ]
