"""HTTP Range (RFC 9110 §14) for one byte range, which is what video players send."""

from __future__ import annotations

import re
from typing import Final

import msgspec

_RANGE: Final = re.compile(r"^bytes=(\d*)-(\d*)$")


class ByteRange(msgspec.Struct, frozen=True):
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class Unsatisfiable(ValueError):
    """The range lies outside the file (answer 416 with the size)."""


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """None means the whole file (no header, or a form we do not serve, such as several ranges)."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None or (not match[1] and not match[2]):
        return None
    if not match[1]:  # the last N bytes
        suffix = int(match[2])
        if suffix == 0:
            raise Unsatisfiable(header)
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(match[1])
    end = min(int(match[2]), size - 1) if match[2] else size - 1
    if start >= size or end < start:
        raise Unsatisfiable(header)
    return ByteRange(start, end)
