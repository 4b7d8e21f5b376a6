"""The deployment's Ed25519 key, which signs every court package's manifest.

A court trusts a package because its manifest verifies with a public key it was given apart
from the package (`posbon evidence signing-key` prints it with its fingerprint). So the key must
outlive any one package: it is a PEM file named by the `evidence_signing_key` setting (the same
file on every node of a cluster), or, when that is empty, one made on first use in the data
directory, readable by its owner only.

Making the key is race-free: the new key is written to a private temporary file that is then
hard-linked to the final name, which fails if another process got there first; the loser throws
its key away and reads the winner's. A key file is therefore either absent or complete.

The fingerprint is the SHA-256 of the raw 32-byte public key, in hex: short enough to read out
over the telephone, and computable from the PEM alone (package_verify.py does so offline).
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import stat
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from server.settings import Settings, SettingsError, flag_and_variable

logger = logging.getLogger(__name__)

KEY_FILE_NAME: Final = "evidence-signing-key.pem"
ALGORITHM: Final = "Ed25519"
PRIVATE_MODE: Final = 0o600


class SigningKey:
    """The private key, with what a package needs of it."""

    def __init__(self, private: Ed25519PrivateKey, path: Path) -> None:
        self._private = private
        self.path = path
        self.public = private.public_key()

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)

    @property
    def public_pem(self) -> bytes:
        return public_pem(self.public)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public)


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def fingerprint(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def grouped(fingerprint_hex: str) -> str:
    """The fingerprint in groups of four, as people compare it."""
    return " ".join(fingerprint_hex[at : at + 4] for at in range(0, len(fingerprint_hex), 4))


def load_public_pem(data: bytes) -> Ed25519PublicKey:
    """A PEM public key; ValueError when it is not one, or not Ed25519."""
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"the public key is not an {ALGORITHM} key")  # noqa: TRY004  (as PEM errors)
    return key


def signature_holds(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def key_path(settings: Settings) -> Path:
    if settings.evidence_signing_key:
        return Path(settings.evidence_signing_key)
    return settings.data_path / KEY_FILE_NAME


def signing_key(settings: Settings) -> SigningKey:
    """The deployment's key: the configured file, or the data directory's (made if missing).
    Blocking, but only a few small file operations."""
    path = key_path(settings)
    if settings.evidence_signing_key:
        if not path.is_file():
            raise SettingsError(
                f"{flag_and_variable('evidence_signing_key')} names {path}, which is not a file"
            )
    elif not path.exists():
        _create(path)
    return SigningKey(_load_private(path), path)


def _load_private(path: Path) -> Ed25519PrivateKey:
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        logger.warning("the evidence signing key %s is readable by others; chmod 600 it", path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as err:
        raise SettingsError(f"{path} is not an unencrypted PEM private key: {err}") from err
    if not isinstance(key, Ed25519PrivateKey):
        raise SettingsError(f"{path} holds a private key, but not an {ALGORITHM} one")
    return key


def _create(path: Path) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:
            return  # another process made the key first: theirs is the deployment's
        logger.info("made the evidence signing key %s", path)
    finally:
        draft.unlink(missing_ok=True)
