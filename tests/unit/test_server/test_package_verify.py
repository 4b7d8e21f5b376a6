"""The offline check of a court package, on packages written here without a server: what it
accepts, and that each kind of change, added file, foreign key or unverified file is named."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from server.chain import GENESIS_HASH
from server.custody import service
from server.custody.repository import CHAIN
from server.custody.schemas import CustodyEntry, CustodyFacts, CustodyKind
from server.evidence import package_verify
from server.evidence.package_manifest import (
    CameraFacts,
    CustodySummary,
    DeviceFacts,
    FileRole,
    IncidentFacts,
    PackageItem,
    PackageManifest,
    SigningKeyFacts,
    decode_manifest,
    encode_manifest,
)
from server.evidence.package_verify import verify_package
from server.evidence.package_zip import PackageWriter
from server.evidence.signing import ALGORITHM, SigningKey

AT = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
RECORDING = "0190c1a2-0000-7000-8000-000000000001"
VIDEO = bytes(range(256)) * 40
VIDEO_SHA256 = hashlib.sha256(VIDEO).hexdigest()


def _chain(*steps: tuple[CustodyKind, str, str, dict[str, object]]) -> list[CustodyEntry]:
    chain: list[CustodyEntry] = []
    prev_hash = GENESIS_HASH
    for number, (kind, actor, reason, data) in enumerate(steps, start=1):
        facts = CustodyFacts(
            recording_id=RECORDING, at=AT, actor=actor, kind=kind, reason=reason, data=data
        )
        digest = CHAIN.link(prev_hash, facts)
        entry = msgspec.structs.asdict(facts) | {"id": number, "prev_hash": prev_hash}
        chain.append(CustodyEntry(**entry, hash=digest))
        prev_hash = digest
    return chain


def _arrived(verified_sha256: str = VIDEO_SHA256) -> list[CustodyEntry]:
    return _chain(
        (
            CustodyKind.RECEIVED,
            "upload_station:dock-1",
            "upload complete",
            {"sha256": VIDEO_SHA256},
        ),
        (CustodyKind.VERIFIED, "server", "matches", {"sha256": verified_sha256}),
        (CustodyKind.LINKED, "dispatcher:aziza", "first crew", {"incident_id": 7}),
    )


def _key() -> SigningKey:
    return SigningKey(Ed25519PrivateKey.generate(), Path("unused.pem"))


def _item(chain: list[CustodyEntry]) -> PackageItem:
    verified = [entry for entry in chain if entry.kind is CustodyKind.VERIFIED]
    return PackageItem(
        recording_id=RECORDING,
        role=FileRole.ORIGINAL,
        file=f"items/{RECORDING}/original.mp4",
        sha256=VIDEO_SHA256,
        size_bytes=len(VIDEO),
        camera=CameraFacts(file_name="BWC-7-0001.mp4"),
        device=DeviceFacts(serial="BWC-7"),
        owner="token:3",
        owner_name="dock-1",
        uploader="upload_station:dock-1",
        station="dock-1",
        custody=CustodySummary(
            entries=len(chain),
            head_hash=chain[-1].hash,
            verified_sha256=str(verified[-1].data["sha256"]) if verified else None,
            csv=f"items/{RECORDING}/custody.csv",
            pdf=f"items/{RECORDING}/custody.pdf",
        ),
    )


async def _blocks(data: bytes) -> AsyncIterator[bytes]:
    yield data[:1000]
    yield data[1000:]


async def _write(
    path: Path, key: SigningKey, chain: list[CustodyEntry], extra: dict[str, bytes] | None = None
) -> None:
    item = _item(chain)
    writer = PackageWriter(path, AT)
    try:
        assert item.file is not None
        await writer.add_stream(item.file, _blocks(VIDEO), (FileRole.ORIGINAL, RECORDING))
        csv_bytes = service.as_csv(chain).encode()
        writer.add_bytes(item.custody.csv, csv_bytes, (FileRole.CUSTODY_CSV, RECORDING))
        writer.add_bytes(item.custody.pdf, b"%PDF-1.7 stand-in", (FileRole.CUSTODY_PDF, RECORDING))
        writer.seal(_manifest(key, item), key)
        for name, data in (extra or {}).items():
            writer.add_bytes(name, data, (FileRole.README, None))
    finally:
        writer.close()


def _manifest(key: SigningKey, item: PackageItem) -> PackageManifest:
    return PackageManifest(
        incident=IncidentFacts(
            id=7,
            kind="theft",
            title="Кража в магазине",
            status="closed",
            priority=2,
            site_id=None,
            site_name="",
            site_address="Registon ko'chasi 1",
            lat=39.65,
            lon=66.97,
            created_at=AT,
            closed_at=None,
        ),
        exported_at=AT,
        exported_by="admin:court-clerk",
        signing_key=SigningKeyFacts(algorithm=ALGORITHM, fingerprint=key.fingerprint),
        items=[item],
        files=[],
    )


def test_the_verifier_reads_the_columns_the_custody_service_writes() -> None:
    assert package_verify.CSV_COLUMNS == service.CSV_COLUMNS


def test_the_manifest_is_canonical_json_with_sorted_keys() -> None:
    key = _key()
    manifest = _manifest(key, _item(_arrived()))
    encoded = encode_manifest(manifest)
    assert decode_manifest(encoded) == manifest
    assert encode_manifest(decode_manifest(encoded)) == encoded
    assert (
        encoded.index(b'"exported_at"') < encoded.index(b'"incident"') < encoded.index(b'"items"')
    )
    assert encoded.endswith(b"}\n")
    assert b'\n  "format": "posbon-evidence-package/1",\n' in encoded


async def test_a_package_as_written_verifies_and_its_origin_is_proven_by_the_given_key(
    tmp_path: Path,
) -> None:
    key = _key()
    await _write(tmp_path / "p.zip", key, _arrived())

    check = verify_package(tmp_path / "p.zip", key.public_pem)

    assert check.problems == []
    assert check.origin_proven is True
    with zipfile.ZipFile(tmp_path / "p.zip") as opened:
        stored = opened.getinfo(f"items/{RECORDING}/original.mp4")
    assert stored.compress_type == zipfile.ZIP_STORED


async def test_with_only_the_enclosed_key_the_package_is_intact_but_its_origin_unproven(
    tmp_path: Path,
) -> None:
    deployment, forger = _key(), _key()
    await _write(tmp_path / "forged.zip", forger, _arrived())

    alone = verify_package(tmp_path / "forged.zip")
    against_deployment = verify_package(tmp_path / "forged.zip", deployment.public_pem)

    assert alone.intact
    assert alone.origin_proven is False
    assert any("origin NOT proven" in note for note in alone.notes)
    assert [problem.split(":")[0] for problem in against_deployment.problems] == [
        "manifest.json.sig"
    ]
    assert forger.fingerprint in against_deployment.problems[0]


async def test_text_a_spreadsheet_would_run_still_hashes_as_logged(tmp_path: Path) -> None:
    chain = _chain(
        (CustodyKind.RECEIVED, "=HYPERLINK(1)", "-2 minutes late", {"sha256": VIDEO_SHA256}),
        (CustodyKind.VERIFIED, "'=quoted already", "+ok", {"sha256": VIDEO_SHA256}),
    )
    key = _key()
    await _write(tmp_path / "p.zip", key, chain)
    assert "'=HYPERLINK(1)" in service.as_csv(chain)

    assert verify_package(tmp_path / "p.zip", key.public_pem).problems == []


async def test_an_added_file_is_named(tmp_path: Path) -> None:
    key = _key()
    await _write(tmp_path / "p.zip", key, _arrived(), extra={"items/notes.txt": b"hi"})

    check = verify_package(tmp_path / "p.zip", key.public_pem)

    assert check.problems == ["items/notes.txt: in the package but not in the manifest"]


async def test_a_file_that_is_not_the_one_the_server_verified_is_named(tmp_path: Path) -> None:
    key = _key()
    await _write(tmp_path / "p.zip", key, _arrived(verified_sha256="ab" * 32))

    check = verify_package(tmp_path / "p.zip", key.public_pem)

    assert len(check.problems) == 1
    assert f"recording {RECORDING}: its file's SHA-256 is {VIDEO_SHA256}" in check.problems[0]


async def test_a_removed_custody_row_is_named_as_removed(tmp_path: Path) -> None:
    key = _key()
    chain = _arrived()
    await _write(tmp_path / "p.zip", key, chain)
    csv_name = f"items/{RECORDING}/custody.csv"
    shortened = tmp_path / "shortened.zip"
    with zipfile.ZipFile(tmp_path / "p.zip") as old, zipfile.ZipFile(shortened, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == csv_name:
                lines = data.decode().splitlines(keepends=True)
                data = "".join([*lines[:2], *lines[3:]]).encode()  # entry 2 goes
            new.writestr(info, data)

    problems = verify_package(shortened, key.public_pem).problems

    assert f"{csv_name}: line 3 (entry 3): does not follow the line before (removed or moved)" in (
        problems
    )


@pytest.mark.parametrize("content", [b"", b"not a zip at all"])
def test_something_that_is_not_a_package_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "p.zip"
    path.write_bytes(content)

    check = verify_package(path)

    assert not check.intact
    assert "not a readable ZIP file" in check.problems[0]
