"""The real GT06 and OsmAnd inputs from shared/data (Traccar's test vectors)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

DATA: Final = Path(__file__).resolve().parents[4] / "shared" / "data"
LOGIN_HEX: Final = "78780d0103534190360660610003c3df0d0a"


def _rows(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def gt06_rows() -> list[dict[str, Any]]:
    return _rows(DATA / "gt06" / "gt06_traccar_tests.jsonl")


def osmand_rows() -> list[dict[str, Any]]:
    return _rows(DATA / "osmand" / "osmand_traccar_requests.jsonl")
