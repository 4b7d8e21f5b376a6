"""The deployment's package-signing key: made once, private to its owner, then always the same;
or the file the setting names, which must be an Ed25519 private key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from server.evidence import signing
from server.settings import Settings, SettingsError


def _pem(key: Ed25519PrivateKey | object) -> bytes:
    assert hasattr(key, "private_bytes")
    return bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def test_the_key_is_made_once_private_to_its_owner_and_then_reused(tmp_path: Path) -> None:
    settings = Settings(data_dir=str(tmp_path))

    first = signing.signing_key(settings)
    second = signing.signing_key(settings)

    path = tmp_path / signing.KEY_FILE_NAME
    assert first.path == path
    assert stat.S_IMODE(path.stat().st_mode) == signing.PRIVATE_MODE
    assert first.fingerprint == second.fingerprint
    assert sorted(child.name for child in tmp_path.iterdir()) == [signing.KEY_FILE_NAME]


def test_a_key_made_meanwhile_by_another_process_wins(tmp_path: Path) -> None:
    path = tmp_path / signing.KEY_FILE_NAME
    signing._create(path)
    theirs = path.read_bytes()

    signing._create(path)

    assert path.read_bytes() == theirs
    assert [child.name for child in tmp_path.iterdir()] == [signing.KEY_FILE_NAME]


def test_the_configured_key_file_signs(tmp_path: Path) -> None:
    private = Ed25519PrivateKey.generate()
    path = tmp_path / "court.pem"
    path.write_bytes(_pem(private))
    path.chmod(0o600)

    key = signing.signing_key(Settings(data_dir=str(tmp_path), evidence_signing_key=str(path)))
    signature = key.sign(b"manifest")

    assert signing.signature_holds(private.public_key(), signature, b"manifest")
    assert not signing.signature_holds(private.public_key(), signature, b"manifesT")
    assert key.fingerprint == signing.fingerprint(signing.load_public_pem(key.public_pem))
    assert not (tmp_path / signing.KEY_FILE_NAME).exists()


@pytest.mark.parametrize("content", ["missing", "not-pem", "ec-key"])
def test_a_configured_key_that_cannot_sign_is_refused_naming_the_setting_or_file(
    tmp_path: Path, content: str
) -> None:
    path = tmp_path / "court.pem"
    if content == "not-pem":
        path.write_text("hello")
    elif content == "ec-key":
        path.write_bytes(_pem(generate_private_key(SECP256R1())))
    settings = Settings(data_dir=str(tmp_path), evidence_signing_key=str(path))

    with pytest.raises(SettingsError, match=r"evidence-signing-key|court\.pem"):
        signing.signing_key(settings)


def test_the_fingerprint_reads_in_groups_of_four() -> None:
    assert signing.grouped("0123456789abcdef") == "0123 4567 89ab cdef"
