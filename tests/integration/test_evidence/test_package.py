"""The court package: built by a running app from evidence uploaded over tus and linked to an
incident, over HTTP and with `posbon evidence export`; checked with `posbon evidence
verify-package`, which passes on the package as built and names what failed once one byte of
a file, one line of the manifest or one custody row is changed."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from server.auth.schemas import Role
from server.custody import repository as custody
from server.custody.schemas import CustodyFacts, CustodyKind
from server.db import Database
from server.evidence.derivatives import NewDerivative, register
from server.evidence.signing import signing_key
from server.settings import Settings
from server.sync.writes import write_as_server
from sync.entities import EntityKind
from sync.recordings import Derivation
from tests.integration.live import Live
from tests.integration.test_evidence.helpers import (
    make_video,
    register_recording,
    upload_with_tuspy,
)
from tests.integration.test_server.helpers import post_alert

pytestmark = pytest.mark.integration

VIDEO_BYTES = 2 * 1024 * 1024 + 7
CLI_TIMEOUT_S = 180


async def _evidence(live: Live, tmp_path: Path, name: str = "BWC0042_0001.mp4") -> str:
    """A recording synced and uploaded by a docking station, as tus clients do."""
    station = await live.token(Role.UPLOAD_STATION)
    video = tmp_path / name
    sha256 = make_video(video, VIDEO_BYTES)
    recording_id = await register_recording(live, station, video, sha256)
    await asyncio.to_thread(upload_with_tuspy, live, station, video, recording_id)
    return str(recording_id)


async def _incident_with(live: Live, *recording_ids: str) -> int:
    desk = await live.token(Role.DISPATCHER)
    incident_id = int((await post_alert(live, desk))["incident_id"])
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(desk)) as client:
        for recording_id in recording_ids:
            linked = await client.post(
                f"/api/v1/recordings/{recording_id}/links",
                json={"incident_id": incident_id, "reason": "body-cam of the first crew"},
            )
            assert linked.status_code == 204, linked.text
    return incident_id


async def _download(live: Live, token: str, incident_id: int) -> httpx.Response:
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
        return await client.get(f"/api/v1/incidents/{incident_id}/evidence-package", timeout=120)


async def _package(live: Live, tmp_path: Path, incident_id: int) -> Path:
    response = await _download(live, await live.token(Role.ADMIN), incident_id)
    assert response.status_code == 200, response.text
    path = tmp_path / "package.zip"
    path.write_bytes(response.content)
    return path


def _posbon(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", "evidence", *args],
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )


def _settings_flags(settings: Settings) -> list[str]:
    flags = ["--data-dir", settings.data_dir]
    return flags + (["--database-url", settings.database_url] if settings.database_url else [])


def _public_key(settings: Settings, tmp_path: Path) -> Path:
    path = tmp_path / "deployment.pub"
    path.write_bytes(signing_key(settings).public_pem)
    return path


def _verify(settings: Settings, package: Path, key: Path) -> subprocess.CompletedProcess[str]:
    return _posbon("verify-package", str(package), "--public-key", str(key))


async def test_a_package_holds_the_evidence_its_facts_and_custody_and_verifies(
    live: Live, db: Database, settings: Settings, tmp_path: Path
) -> None:
    recording_id = await _evidence(live, tmp_path)
    incident_id = await _incident_with(live, recording_id)
    chain_before = await custody.entries(db, recording_id)
    response = await _download(live, await live.token(Role.ADMIN), incident_id)
    assert response.status_code == 200, response.text
    package = tmp_path / "package.zip"
    package.write_bytes(response.content)

    with zipfile.ZipFile(package) as opened:
        names = set(opened.namelist())
        manifest_bytes = opened.read("manifest.json")
        video = opened.read(f"items/{recording_id}/original.mp4")
        log_rows = list(
            csv.DictReader(io.StringIO(opened.read(f"items/{recording_id}/custody.csv").decode()))
        )
        pdf = opened.read(f"items/{recording_id}/custody.pdf")
        video_info = opened.getinfo(f"items/{recording_id}/original.mp4")
    manifest = json.loads(manifest_bytes)
    assert names == {
        "README.txt",
        "manifest.json",
        "manifest.json.sig",
        "signing-key.pub",
        f"items/{recording_id}/original.mp4",
        f"items/{recording_id}/custody.csv",
        f"items/{recording_id}/custody.pdf",
    }
    assert video_info.compress_type == zipfile.ZIP_STORED
    assert video == (tmp_path / "BWC0042_0001.mp4").read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert list(manifest) == sorted(manifest)  # canonical: sorted keys
    [item] = manifest["items"]
    assert item["recording_id"] == recording_id
    assert item["role"] == "original"
    assert item["sha256"] == hashlib.sha256(video).hexdigest()
    assert item["size_bytes"] == VIDEO_BYTES
    assert item["device"]["serial"] == "BWC-0042"
    assert item["camera"]["file_name"] == "BWC0042_0001.mp4"
    assert item["camera"]["recorded_start"] is not None
    assert item["owner"].startswith("token:")
    assert item["owner_name"].startswith("test-upload_station-")
    assert item["uploader"] == f"upload_station:{item['owner_name']}"
    assert item["station"] == item["owner_name"]
    assert item["custody"]["entries"] == len(chain_before) == len(log_rows)
    assert item["custody"]["head_hash"] == chain_before[-1].hash == log_rows[-1]["hash"]
    assert manifest["incident"]["id"] == incident_id
    assert manifest["exported_by"].startswith("admin:")
    assert manifest["signing_key"]["fingerprint"] == signing_key(settings).fingerprint

    manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
    assert response.headers["X-Manifest-SHA256"] == manifest_sha256
    exported = (await custody.entries(db, recording_id))[-1]
    assert exported.kind is CustodyKind.EXPORTED
    assert exported.data["manifest_sha256"] == manifest_sha256
    assert exported.data["incident_id"] == incident_id

    result = _verify(settings, package, _public_key(settings, tmp_path))
    assert result.returncode == 0, result.stderr
    assert f"{package}: OK: incident {incident_id}, 1 items" in result.stdout
    assert "origin not proven" not in result.stdout
    assert list((settings.data_path / "packages").iterdir()) == []  # sent, then removed


def _flip_one_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


def _change_one_manifest_line(data: bytes) -> bytes:
    changed = data.replace(b'"serial": "BWC-0042"', b'"serial": "BWC-0043"', 1)
    assert changed != data
    return changed


def _change_one_custody_row(data: bytes) -> bytes:
    changed = data.replace(b",upload complete,", b",upload completed,", 1)
    assert changed != data
    return changed


def _rewritten(source: Path, target: Path, name: str, change: Callable[[bytes], bytes]) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info, change(data) if info.filename == name else data)


@pytest.mark.parametrize(
    ("changed", "change", "named"),
    [
        pytest.param(
            "items/{id}/original.mp4",
            _flip_one_byte,
            ["items/{id}/original.mp4: SHA-256 "],
            id="one-byte-of-the-video",
        ),
        pytest.param(
            "manifest.json",
            _change_one_manifest_line,
            ["manifest.json.sig: the signature does not hold"],
            id="one-manifest-line",
        ),
        pytest.param(
            "items/{id}/custody.csv",
            _change_one_custody_row,
            [
                "items/{id}/custody.csv: SHA-256 ",
                "items/{id}/custody.csv: line 2 (entry ",
                "its hash does not match its contents (edited)",
            ],
            id="one-custody-row",
        ),
    ],
)
async def test_verify_package_names_what_was_changed(
    live: Live,
    settings: Settings,
    tmp_path: Path,
    changed: str,
    change: Callable[[bytes], bytes],
    named: list[str],
) -> None:
    recording_id = await _evidence(live, tmp_path)
    package = await _package(live, tmp_path, await _incident_with(live, recording_id))
    key = _public_key(settings, tmp_path)
    assert _verify(settings, package, key).returncode == 0
    tampered = tmp_path / "tampered.zip"
    _rewritten(package, tampered, changed.format(id=recording_id), change)

    result = _verify(settings, tampered, key)

    assert result.returncode == 1, result.stdout
    for text in named:
        assert text.format(id=recording_id) in result.stderr, result.stderr
    assert "NOT VERIFIED" in result.stderr


async def test_the_cli_exports_the_same_package_and_it_verifies(
    live: Live, settings: Settings, tmp_path: Path
) -> None:
    recording_id = await _evidence(live, tmp_path)
    incident_id = await _incident_with(live, recording_id)
    over_http = await _package(live, tmp_path, incident_id)
    exported = tmp_path / "exported.zip"

    made = _posbon(
        "export",
        "--incident",
        str(incident_id),
        "--out",
        str(exported),
        *_settings_flags(settings),
    )

    assert made.returncode == 0, made.stderr
    assert "packaging evidence" in made.stderr  # the progress bar
    with zipfile.ZipFile(over_http) as first, zipfile.ZipFile(exported) as second:
        assert sorted(first.namelist()) == sorted(second.namelist())
        assert first.read(f"items/{recording_id}/original.mp4") == second.read(
            f"items/{recording_id}/original.mp4"
        )
        by_cli = json.loads(second.read("manifest.json"))
    assert by_cli["exported_by"].startswith("admin:cli ")
    # The HTTP export is on the log the CLI packaged: the package is the log as it stood.
    assert by_cli["items"][0]["custody"]["entries"] == 4  # received, verified, linked, exported
    key = _public_key(settings, tmp_path)
    for package in (over_http, exported):
        result = _verify(settings, package, key)
        assert result.returncode == 0, result.stderr
    shown = _posbon("signing-key", *_settings_flags(settings)[:2])
    assert shown.returncode == 0, shown.stderr
    assert signing_key(settings).public_pem.decode() in shown.stdout


async def test_a_redacted_derivative_travels_with_its_original_marked_as_redacted(
    live: Live, db: Database, settings: Settings, tmp_path: Path
) -> None:
    original_id = await _evidence(live, tmp_path)
    incident_id = await _incident_with(live, original_id)
    redacted = tmp_path / "redacted.mp4"
    redacted_sha256 = make_video(redacted, 300_000)
    await live.uploads.store.backend.keep(redacted_sha256, redacted)
    derivative_id = str(uuid.uuid4())
    async with db.write():
        await register(
            db,
            live.state.sync_clock,
            NewDerivative(
                original_id=original_id,
                derivative_id=derivative_id,
                sha256=redacted_sha256,
                size_bytes=300_000,
                suffix=".mp4",
                derivation=Derivation.REDACTION,
                actor="admin:reviewer",
            ),
        )

    package = await _package(live, tmp_path, incident_id)

    with zipfile.ZipFile(package) as opened:
        items = json.loads(opened.read("manifest.json"))["items"]
        kept = opened.read(f"items/{derivative_id}/redacted.mp4")
    assert [(item["recording_id"], item["role"]) for item in items] == [
        (original_id, "original"),
        (derivative_id, "redacted"),
    ]
    assert items[1]["derived_from"] == original_id
    assert kept == redacted.read_bytes()
    result = _verify(settings, package, _public_key(settings, tmp_path))
    assert result.returncode == 0, result.stderr
    assert f"OK: incident {incident_id}, 2 items" in result.stdout


async def test_a_deleted_file_leaves_its_custody_log_in_the_package(
    live: Live, db: Database, settings: Settings, tmp_path: Path
) -> None:
    kept_id = await _evidence(live, tmp_path, "kept.mp4")
    gone_id = await _evidence(live, tmp_path, "gone.mp4")
    incident_id = await _incident_with(live, kept_id, gone_id)
    async with db.write():
        await custody.append(
            db,
            CustodyFacts(
                recording_id=gone_id,
                at=(await custody.entries(db, gone_id))[-1].at,
                actor="system:retention",
                kind=CustodyKind.DELETED,
                reason="retention ended",
                data={},
            ),
        )

    package = await _package(live, tmp_path, incident_id)

    with zipfile.ZipFile(package) as opened:
        names = opened.namelist()
        items = {
            item["recording_id"]: item for item in json.loads(opened.read("manifest.json"))["items"]
        }
    assert items[gone_id]["deleted"] is True
    assert items[gone_id]["file"] is None
    assert not any(name.startswith(f"items/{gone_id}/original") for name in names)
    assert f"items/{gone_id}/custody.csv" in names
    result = _verify(settings, package, _public_key(settings, tmp_path))
    assert result.returncode == 0, result.stderr


async def test_a_dispatcher_is_refused_the_whole_package_when_one_item_is_restricted(
    live: Live, db: Database, tmp_path: Path
) -> None:
    normal_id = await _evidence(live, tmp_path, "normal.mp4")
    restricted_id = await _evidence(live, tmp_path, "restricted.mp4")
    incident_id = await _incident_with(live, normal_id, restricted_id)
    async with db.write():
        await write_as_server(
            db,
            live.state.sync_clock,
            EntityKind.RECORDING,
            uuid.UUID(restricted_id),
            {"access_class": "restricted"},
        )

    refused = await _download(live, await live.token(Role.DISPATCHER), incident_id)
    allowed = await _download(live, await live.token(Role.ADMIN), incident_id)

    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "package_restricted"
    assert restricted_id in refused.json()["detail"]
    assert normal_id not in refused.json()["detail"]
    assert allowed.status_code == 200
    kinds = [entry.kind for entry in await custody.entries(db, normal_id)]
    assert kinds.count(CustodyKind.EXPORTED) == 1  # only the admin's package was exported


async def test_an_incident_without_evidence_has_no_package(live: Live) -> None:
    desk = await live.token(Role.DISPATCHER)
    incident_id = int((await post_alert(live, desk))["incident_id"])

    empty = await _download(live, desk, incident_id)
    unknown = await _download(live, desk, 999_999)
    beyond = await _download(live, desk, 2**40)  # past PostgreSQL's integer: refused, not a 500

    assert (empty.status_code, unknown.status_code) == (404, 404)
    assert "no linked recordings" in empty.json()["detail"]
    assert beyond.status_code == 400
