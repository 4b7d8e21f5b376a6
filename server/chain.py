"""Hash chains for append-only logs (the incident timeline, the evidence custody log).

Each link is SHA-256 over the previous link and a canonical JSON encoding of the entry's facts:
editing, reordering or deleting any stored row breaks every link after it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, Final

import msgspec

GENESIS_HASH: Final = "0" * 64
_canonical = msgspec.json.Encoder(order="sorted")


def utc_text(moment: dt.datetime | None) -> str | None:
    """A timestamp as the chain hashes it: UTC, so a different display zone changes nothing."""
    return None if moment is None else moment.astimezone(dt.UTC).isoformat()


def link_hash(prev_hash: str, facts: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical.encode(facts)).hexdigest()


def canonical_json(value: Any) -> str:
    return _canonical.encode(value).decode()
