"""The real GT06 and OsmAnd inputs in tests/data (Traccar's test vectors)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from tests.datafiles import GT06_FRAMES, OSMAND_REQUESTS

LOGIN_HEX: Final = "78780d0103534190360660610003c3df0d0a"


def _rows(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def gt06_rows() -> list[dict[str, Any]]:
    return _rows(GT06_FRAMES)


def osmand_rows() -> list[dict[str, Any]]:
    return _rows(OSMAND_REQUESTS)
