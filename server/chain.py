"""Hash chains for append-only logs (the incident timeline, the evidence custody log).

Each link is SHA-256 over the previous link and a canonical JSON encoding of the entry's facts:
editing, reordering or deleting any stored row breaks every link after it. How chains are stored,
appended and checked is server/chain_log.py; this module is only the arithmetic, so stored
hashes depend on nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any, Final

import msgspec

GENESIS_HASH: Final = "0" * 64
_canonical = msgspec.json.Encoder(order="sorted")


def utc_text(moment: dt.datetime | None) -> str | None:
    """A timestamp as the chain hashes it: UTC, so a different display zone changes nothing."""
    return None if moment is None else moment.astimezone(dt.UTC).isoformat()


def link_hash(prev_hash: str, facts: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical.encode(facts)).hexdigest()


def facts_hash(prev_hash: str, source: object, fields: Iterable[str]) -> str:
    """The link over the named attributes of `source`: timestamps as `utc_text`, anything else
    as msgspec encodes it (an enum as its value), keys sorted."""
    return link_hash(prev_hash, {name: _hashed(getattr(source, name)) for name in fields})


def _hashed(value: object) -> object:
    return utc_text(value) if isinstance(value, dt.datetime) else value


def canonical_json(value: Any) -> str:
    return _canonical.encode(value).decode()
