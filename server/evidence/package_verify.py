"""Check a court package offline: nothing here opens a database or a socket, so a defence
expert can run it on a package alone (`posbon evidence verify-package FILE.zip`).

What holds when the check passes, in the order it is checked:

1. the manifest's Ed25519 signature, with the public key the court was given
   (`--public-key`) or, failing that, the one enclosed, which then proves only that the package
   is intact, not who made it (anyone can sign with a key of their own and enclose it);
2. every file the manifest lists is there, once, with its size and SHA-256, and nothing else is;
3. each custody CSV is an unbroken hash chain, recomputed with the server's own arithmetic
   (server/chain.py over the fields of `CustodyFacts`), as long as the manifest says and ending
   in the head hash it states;
4. each file's SHA-256 is the one the server's `verified` custody entry recorded on arrival.

Every failure is named (the file, the row, what differs); the check goes on after one, so a
single run lists everything that is wrong.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import hashlib
import io
import itertools
import types
import zipfile
from pathlib import Path
from typing import Any, Final

import msgspec

from server.chain import GENESIS_HASH, facts_hash
from server.custody.schemas import CustodyFacts, CustodyKind
from server.evidence import signing
from server.evidence.package_manifest import (
    FORMAT,
    MANIFEST_NAME,
    PUBLIC_KEY_NAME,
    SIGNATURE_NAME,
    UNLISTED,
    PackageItem,
    PackageManifest,
    decode_manifest,
)
from server.text import FORMULA_STARTS

CSV_COLUMNS: Final = ("id", "at", "actor", "kind", "reason", "data", "prev_hash", "hash")
"""The custody CSV's header (server/custody/service.py writes it; a unit test holds them equal)."""
READ_BLOCK_BYTES: Final = 1024 * 1024
_CHAIN_FIELDS: Final = CustodyFacts.__struct_fields__


class PackageCheck(msgspec.Struct, kw_only=True):
    problems: list[str] = msgspec.field(default_factory=list)
    notes: list[str] = msgspec.field(default_factory=list)
    origin_proven: bool = False
    """True only when the signature held under a key given apart from the package."""
    manifest: PackageManifest | None = None

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_package(path: Path, public_key_pem: bytes | None = None) -> PackageCheck:
    check = PackageCheck()
    try:
        with zipfile.ZipFile(path) as package:
            _check_package(package, public_key_pem, check)
    except (OSError, zipfile.BadZipFile) as err:
        check.problems.append(f"{path}: not a readable ZIP file ({err})")
    return check


def _check_package(
    package: zipfile.ZipFile, public_key_pem: bytes | None, check: PackageCheck
) -> None:
    names = [info.filename for info in package.infolist()]
    repeated = sorted(name for name, count in collections.Counter(names).items() if count > 1)
    check.problems += [f"{name}: more than one file of that name" for name in repeated]
    missing = [name for name in sorted(UNLISTED) if name not in names]
    check.problems += [f"{name}: missing" for name in missing]
    if missing:
        return
    manifest_bytes = package.read(MANIFEST_NAME)
    _check_signature(package, manifest_bytes, public_key_pem, check)
    try:
        manifest = decode_manifest(manifest_bytes)
    except msgspec.DecodeError as err:
        check.problems.append(f"{MANIFEST_NAME}: not a package manifest ({err})")
        return
    check.manifest = manifest
    if manifest.format != FORMAT:
        check.problems.append(f"{MANIFEST_NAME}: format {manifest.format!r}, not {FORMAT!r}")
    _check_files(package, manifest, set(names), check)
    for item in manifest.items:
        _check_item(package, manifest, item, check)
    check.notes.append(
        f"custody: {len(manifest.items)} logs, each chain recomputed, its head and each file's "
        "verified SHA-256 checked"
    )


def _check_signature(
    package: zipfile.ZipFile, manifest: bytes, given_pem: bytes | None, check: PackageCheck
) -> None:
    source = "the given public key" if given_pem is not None else f"the enclosed {PUBLIC_KEY_NAME}"
    try:
        key = signing.load_public_pem(given_pem or package.read(PUBLIC_KEY_NAME))
    except ValueError as err:
        check.problems.append(f"{source}: not an Ed25519 public key in PEM ({err})")
        return
    enclosed = _enclosed_fingerprint(package)
    if not signing.signature_holds(key, package.read(SIGNATURE_NAME), manifest):
        why = "the manifest was changed, or signed with another key"
        if given_pem is not None and enclosed != signing.fingerprint(key):
            why = f"the package was signed with another key (enclosed key {enclosed})"
        check.problems.append(
            f"{SIGNATURE_NAME}: the signature does not hold under {source}: {why}"
        )
        return
    fingerprint = signing.fingerprint(key)
    check.notes.append(f"signature: holds under {source} (fingerprint {fingerprint})")
    stated = _stated_fingerprint(manifest)
    if stated != fingerprint:
        check.problems.append(
            f"{MANIFEST_NAME}: names signing key {stated}, but {fingerprint} signed it"
        )
    check.origin_proven = given_pem is not None
    if given_pem is None:
        check.notes.append(
            "origin NOT proven: the enclosed key proves only that the package is intact; "
            "check its fingerprint against the one the deployment gave you, or pass --public-key"
        )


def _enclosed_fingerprint(package: zipfile.ZipFile) -> str:
    try:
        return signing.fingerprint(signing.load_public_pem(package.read(PUBLIC_KEY_NAME)))
    except ValueError:
        return "unreadable"


def _stated_fingerprint(manifest: bytes) -> str | None:
    try:
        return decode_manifest(manifest).signing_key.fingerprint
    except msgspec.DecodeError:
        return None


def _check_files(
    package: zipfile.ZipFile, manifest: PackageManifest, present: set[str], check: PackageCheck
) -> None:
    listed = {entry.path for entry in manifest.files}
    for name in sorted(present - listed - UNLISTED):
        check.problems.append(f"{name}: in the package but not in the manifest")
    for entry in manifest.files:
        if entry.path not in present:
            check.problems.append(f"{entry.path}: listed in the manifest but missing")
            continue
        size, sha256 = _measure(package, entry.path)
        if size != entry.size_bytes:
            check.problems.append(
                f"{entry.path}: {size} bytes, the manifest says {entry.size_bytes}"
            )
        if sha256 != entry.sha256:
            check.problems.append(
                f"{entry.path}: SHA-256 {sha256}, the manifest says {entry.sha256}"
            )
    check.notes.append(f"files: {len(manifest.files)} listed, each checked for size and SHA-256")


def _measure(package: zipfile.ZipFile, name: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with package.open(name) as stream:
        while block := stream.read(READ_BLOCK_BYTES):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _check_item(
    package: zipfile.ZipFile, manifest: PackageManifest, item: PackageItem, check: PackageCheck
) -> None:
    label = f"recording {item.recording_id}"
    listed = {entry.path: entry for entry in manifest.files}
    if item.file is not None:
        entry = listed.get(item.file)
        if entry is None or entry.sha256 != item.sha256 or entry.size_bytes != item.size_bytes:
            check.problems.append(f"{label}: its file {item.file} is not listed as the item says")
    csv_name = item.custody.csv
    if csv_name not in listed:
        check.problems.append(f"{label}: its custody log {csv_name} is not listed")
        return
    try:
        text = package.read(csv_name).decode("utf-8")
    except (KeyError, UnicodeDecodeError) as err:
        check.problems.append(f"{csv_name}: unreadable ({err})")
        return
    chain = _check_chain(csv_name, item, text, check)
    if chain is not None:
        _check_against_chain(label, item, chain, check)


def _check_chain(
    name: str, item: PackageItem, text: str, check: PackageCheck
) -> list[dict[str, str]] | None:
    """The CSV's rows when every link holds; None (and the first broken row named) otherwise."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = tuple(next(reader, ()))
    if header != CSV_COLUMNS:
        check.problems.append(f"{name}: the header is {list(header)}, not {list(CSV_COLUMNS)}")
        return None
    rows = [dict(zip(CSV_COLUMNS, row, strict=False)) for row in reader]
    prev_hash = GENESIS_HASH
    for number, row in enumerate(rows, start=2):  # the header is line 1
        where = f"{name}: line {number} (entry {row.get('id')})"
        if row.get("prev_hash") != prev_hash:
            check.problems.append(f"{where}: does not follow the line before (removed or moved)")
            return None
        if not _link_holds(item.recording_id, prev_hash, row):
            check.problems.append(f"{where}: its hash does not match its contents (edited)")
            return None
        prev_hash = row["hash"]
    return rows


def _link_holds(recording_id: str, prev_hash: str, row: dict[str, str]) -> bool:
    """Whether some reading of the row hashes to its stored hash. The CSV writer prefixes text
    that a spreadsheet would run as a formula with an apostrophe (server/text.py), so a field
    that starts with one may have been written either way; both readings are tried, which
    lets nothing through that the hash does not cover."""
    try:
        at = dt.datetime.fromisoformat(row["at"])
        data: Any = msgspec.json.decode(_unescaped(row["data"])[-1])
    except (KeyError, ValueError, msgspec.DecodeError):
        return False
    for actor, reason in itertools.product(_unescaped(row["actor"]), _unescaped(row["reason"])):
        facts = types.SimpleNamespace(
            recording_id=recording_id,
            at=at,
            actor=actor,
            kind=row["kind"],
            reason=reason,
            data=data,
        )
        if facts_hash(prev_hash, facts, _CHAIN_FIELDS) == row["hash"]:
            return True
    return False


def _unescaped(text: str) -> list[str]:
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return [text, text[1:]]
    return [text]


def _check_against_chain(
    label: str, item: PackageItem, rows: list[dict[str, str]], check: PackageCheck
) -> None:
    custody = item.custody
    head = rows[-1]["hash"] if rows else GENESIS_HASH
    if len(rows) != custody.entries or head != custody.head_hash:
        check.problems.append(
            f"{custody.csv}: {len(rows)} entries ending in {head}, the manifest says "
            f"{custody.entries} ending in {custody.head_hash}"
        )
        return
    verified = _verified_sha256(rows)
    if item.file is not None and (verified is None or verified != item.sha256):
        check.problems.append(
            f"{label}: its file's SHA-256 is {item.sha256}, its custody log's `verified` "
            f"entry says {verified}"
        )
    elif verified != custody.verified_sha256:
        check.problems.append(f"{label}: the manifest's verified SHA-256 differs from the log's")


def _verified_sha256(rows: list[dict[str, str]]) -> str | None:
    """The SHA-256 of the last `verified` entry (the server's own hash of what arrived)."""
    found: str | None = None
    for row in rows:
        if row["kind"] == CustodyKind.VERIFIED.value:
            data: Any = msgspec.json.decode(_unescaped(row["data"])[-1])
            found = str(data.get("sha256")) if isinstance(data, dict) else None
    return found
